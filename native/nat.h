/* NAT for the bridge network, as Docker does: IP forwarding on, the
 * bridge's subnet masqueraded out of the host, and published ports (-p)
 * forwarded (DNAT) to their containers, from outside and from the host
 * itself (its 127.0.0.1 too); undone with the bridge. The rules live in an
 * nftables table of our own, `table ip baby-docker` (given whole to
 * `nft -f -` on its stdin, so each change is atomic), or, where nft is
 * absent, in iptables chains of our own, BABY-DOCKER-*. */
#ifndef BD_NAT_H
#define BD_NAT_H

#include <stddef.h>
#include <stdint.h>

#include "utils.h"

#define NAT_TABLE "baby-docker"

/* A published port: host_ip:host_port (host_ip 0: every address of the
 * host's) forwarded to container_addr:container_port. Addresses in network
 * byte order. */
struct nat_port {
  uint32_t host_ip, container_addr;
  uint16_t host_port, container_port;
  int udp;
};

/* subnet: "10.88.0.0/24"; state_dir keeps what forwarding was before ("forwarding"). */
int nat_enable(const char *subnet, const char *bridge, const char *state_dir, struct bd_error *err);

/* The rules, made again with exactly these published ports. */
int nat_publish(const char *subnet, const char *bridge, const struct nat_port *ports, size_t nports, struct bd_error *err);

/* Remove the rules (none there is no error) and put forwarding back as it was. */
void nat_disable(const char *state_dir);

#endif
