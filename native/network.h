/* The bridge network (--network bridge), as Docker's default: a bridge
 * BRIDGE_NAME on the host holding the gateway .1 of a private subnet (a /24
 * chosen clear of the host's routes, or the configured one), and per container a veth pair (the host's end
 * "bdv<id>" on the bridge, the other eth0 in the container's network
 * namespace) with an address leased to it and a default route via .1.
 *
 * Its state, beside the runs' under STATE_ROOT (root's alone):
 *   .network/subnet     the bridge's subnet ("10.88.0.0/24"), chosen with it
 *   .network/forwarding what ip_forward was before the first container turned it on
 *   .network/iptables   present while the NAT rules are iptables' (nat.h)
 *   .network/<address>  a lease ("10.88.0.7"), holding the id of its run
 *                       and its published ports ("ID\nPROTO HOSTPORT PORT HOSTIP\n...")
 * The bridge stays when its last container ends, as docker0 does (making
 * and deleting it costs ~50 ms), but its NAT rules go; gc removes it when
 * no container uses it. Every change to them or to a veth is made under an
 * flock of STATE_ROOT itself (a lock file would be left behind), so a
 * lease, its veth and the bridge are always seen together. */
#ifndef BD_NETWORK_H
#define BD_NETWORK_H

#include <net/if.h>
#include <stdint.h>
#include <sys/types.h>

#include "nat.h"
#include "utils.h"

#define BRIDGE_NAME "bd0"
#define VETH_PREFIX "bdv"
#define MAX_PUBLISHED 64

struct network_lease {
  char id[64];
  char veth[IF_NAMESIZE]; /* the host's end */
  uint32_t addr, gateway; /* network byte order */
  int prefix;
  int leased;                           /* the lease file is ours: network_detach removes it */
  int unsupported;                      /* network_attach failed making the bridge, its NAT or a veth: the host cannot do bridge networking */
  int made_bridge;                      /* network_attach made the bridge and has not yet succeeded: a failure removes it again */
  struct nat_port ports[MAX_PUBLISHED]; /* container_addr filled in with the lease */
  size_t nports;
};

/* A subnet of the host's for the bridge; prefix 0: none chosen. */
struct subnet {
  uint32_t net; /* network byte order */
  int prefix;
};

/* The host's settings for the bridge (its config file). */
struct bridge_config {
  struct subnet subnet; /* for when the bridge is made; prefix 0: one chosen clear of the host's routes */
  int iptables;         /* NAT in iptables even where nftables is there */
};

/* Parse "10.123.0.0/24" (a prefix of 16 to 29). */
int network_parse_subnet(const char *text, struct subnet *s, struct bd_error *err);

/* Parse -p as the shim takes it, PROTO:HOSTPORT:PORT[:HOSTIP]. */
int network_parse_publish(const char *arg, struct nat_port *port, struct bd_error *err);

/* Lease an address for run `id` (the bridge made first when there is none,
 * with the config's subnet) and connect the container whose first process
 * is `pid` (our child, before it execs): its eth0 gets the address, is up,
 * and the default route goes via the gateway; `ports` are published. On
 * failure nothing of it is left. */
int network_attach(const char *id, pid_t pid, const struct nat_port *ports, size_t nports, const struct bridge_config *config,
                   struct network_lease *lease, struct bd_error *err);

/* Undo network_attach: its lease, its ports, the NAT rules when it was the
 * last, and its veth, unless the container has ended (container_ended): the
 * kernel then removes the veth with the container's network namespace, a
 * moment later. */
void network_detach(struct network_lease *lease, int container_ended);

/* Reclaim the leases and veths of dead runs (whose state directory is no
 * longer locked), and, when `with_bridge`, the bridge once no lease is left. Returns how many
 * leases were reclaimed. */
int network_collect(int with_bridge, struct bd_error *err);

#endif
