/* The bridge network (--network bridge), as Docker's default: a bridge
 * BRIDGE_NAME on the host holding the gateway .1 of a private /24 chosen
 * clear of the host's routes, and per container a veth pair (the host's end
 * "bdv<id>" on the bridge, the other eth0 in the container's network
 * namespace) with an address leased to it and a default route via .1.
 *
 * Its state, beside the runs' under STATE_ROOT (root's alone):
 *   .network/subnet     the bridge's subnet ("10.88.0.0/24"), chosen with it
 *   .network/<address>  a lease ("10.88.0.7"), holding the id of its run
 * The bridge and .network go when the last lease does. Every change to them
 * or to a veth is made under an flock of STATE_ROOT itself (a lock file
 * would be left behind), so a lease, its veth and the bridge are always
 * seen together. */
#ifndef BD_NETWORK_H
#define BD_NETWORK_H

#include <net/if.h>
#include <stdint.h>
#include <sys/types.h>

#include "utils.h"

#define BRIDGE_NAME "bd0"
#define VETH_PREFIX "bdv"

struct network_lease {
  char id[64];
  char veth[IF_NAMESIZE]; /* the host's end */
  uint32_t addr, gateway; /* network byte order */
  int prefix;
  int leased; /* the lease file is ours: network_detach removes it */
};

/* Lease an address for run `id` (the bridge made first when it is the
 * first) and connect the container whose first process is `pid` (our child,
 * before it execs): its eth0 gets the address, is up, and the default
 * route goes via the gateway. On failure nothing of it is left. */
int network_attach(const char *id, pid_t pid, struct network_lease *lease, struct bd_error *err);

/* Undo network_attach (its veth, its lease; the bridge when it was the last). */
void network_detach(struct network_lease *lease);

/* Reclaim the leases and veths of dead runs (whose state directory is no
 * longer locked), and the bridge once no lease is left. Returns how many
 * leases were reclaimed. */
int network_collect(struct bd_error *err);

#endif
