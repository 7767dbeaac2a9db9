/* Netlink requests built in place, and the rtnetlink ones of the bridge
 * network: links, addresses, routes. Each nl_* of those sends one request
 * on a NETLINK_ROUTE socket and reads the kernel's answer; what it changes is in the network namespace the socket
 * was made in. Addresses are IPv4, in network byte order. No shelling out
 * to `ip`: this is what `ip` itself sends. */
#ifndef BD_NETLINK_H
#define BD_NETLINK_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stddef.h>
#include <stdint.h>

#include "utils.h"

/* A request being built in place: one message, or a batch of them (as
 * nftables takes its changes). Attributes go to the last message begun. A
 * request that outgrows the buffer is refused whole when sent (E2BIG). */
struct nl_request {
  struct nlmsghdr *msg;
  size_t len;
  unsigned count; /* messages so far: each one's sequence number is its place */
  int overflow;
  char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
};

void nl_request_init(struct nl_request *r);
/* Begin a message: its header, then its family's header (`header`, `len` bytes). */
void nl_message(struct nl_request *r, int type, int flags, const void *header, size_t len);
struct rtattr *nl_attr(struct nl_request *r, int type, const void *value, size_t len);
struct rtattr *nl_nest_begin(struct nl_request *r, int type);
void nl_nest_end(struct nl_request *r, struct rtattr *nest);

/* Send r and read the answers to its messages that ask for one (NLM_F_ACK):
 * 0 when each was acknowledged, else -1 with errno the kernel's and
 * *failed (when not NULL) the failing message's place. */
int nl_talk(int nl, struct nl_request *r, unsigned *failed);

/* A NETLINK_ROUTE socket in our own network namespace. */
int nl_open(struct bd_error *err);

/* A NETLINK_NETFILTER one (nftables), there too. */
int nl_open_netfilter(struct bd_error *err);

/* One in the network namespace behind nsfd: the calling thread joins it
 * for the socket() call alone, then goes back. */
int nl_open_in(int nsfd, struct bd_error *err);

/* The index of link `name`, 0 when there is none. */
int nl_link_index(int nl, const char *name, struct bd_error *err);

int nl_add_bridge(int nl, const char *name, struct bd_error *err);

/* A veth pair: `name` here, its peer `peer` made straight in the network
 * namespace behind peer_nsfd. */
int nl_add_veth(int nl, const char *name, const char *peer, int peer_nsfd, struct bd_error *err);

/* Attach link `index` to the bridge `master` (an index). */
int nl_set_master(int nl, int index, int master, struct bd_error *err);

int nl_set_up(int nl, int index, struct bd_error *err);

int nl_add_address(int nl, int index, uint32_t addr, int prefix, struct bd_error *err);

int nl_add_default_route(int nl, int index, uint32_t gateway, struct bd_error *err);

/* Delete link `name`; one already gone is no error. */
int nl_delete_link(int nl, const char *name, struct bd_error *err);

/* 1 when a route of any table but a default one overlaps net/prefix, else 0. */
int nl_route_overlaps(int nl, uint32_t net, int prefix, struct bd_error *err);

#endif
