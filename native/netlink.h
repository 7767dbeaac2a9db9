/* rtnetlink requests for the bridge network: links, addresses, routes. Each
 * function sends one request on a NETLINK_ROUTE socket and waits for the
 * kernel's answer; what it changes is in the network namespace the socket
 * was made in. Addresses are IPv4, in network byte order. No shelling out
 * to `ip`: this is what `ip` itself sends. */
#ifndef BD_NETLINK_H
#define BD_NETLINK_H

#include <stdint.h>

#include "utils.h"

/* A NETLINK_ROUTE socket in our own network namespace. */
int nl_open(struct bd_error *err);

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
