/* NAT for the bridge network, as Docker does: IP forwarding on, the
 * bridge's subnet masqueraded out of the host, and published ports (-p)
 * forwarded (DNAT) to their containers, from outside and from the host
 * itself (its 127.0.0.1 too); undone when the bridge's last container
 * ends. The rules live in an nftables table of our own, `table ip
 * baby-docker` (sent over netlink whole, in one transaction, so each change
 * is atomic), or, where the kernel has no nftables, in iptables chains of
 * our own, BABY-DOCKER-*. */
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

/* The rules for the bridge's subnet net/prefix (net in network byte
 * order) with these published ports, made the first time: forwarding on,
 * and the firewall chosen (nftables, or iptables where the kernel has no
 * nftables or `iptables` asks for it) and recorded in state_dir, with what
 * forwarding was before. */
int nat_enable(uint32_t net, int prefix, const char *bridge, const struct nat_port *ports, size_t nports, int iptables, const char *state_dir,
               struct bd_error *err);

/* The rules made again, with exactly these published ports. */
int nat_publish(uint32_t net, int prefix, const char *bridge, const struct nat_port *ports, size_t nports, const char *state_dir,
                struct bd_error *err);

/* Remove the rules (none there is no error) and put forwarding back as it was. */
void nat_disable(const char *state_dir);

#endif
