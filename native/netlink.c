#define _GNU_SOURCE
#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void nl_request_init(struct nl_request *r) {
  r->msg = NULL;
  r->len = 0;
  r->count = 0;
  r->overflow = 0;
}

/* Room for `len` more bytes at the end, zeroed; NULL (and r->overflow) when there is none. */
static void *room(struct nl_request *r, size_t len) {
  if (r->overflow || r->len + NLMSG_ALIGN(len) > sizeof r->buf) {
    r->overflow = 1;
    return NULL;
  }
  void *at = r->buf + r->len;
  memset(at, 0, NLMSG_ALIGN(len));
  return at;
}

void nl_message(struct nl_request *r, int type, int flags, const void *header, size_t len) {
  struct nlmsghdr *h = room(r, NLMSG_LENGTH(len));
  if (!h) return;
  h->nlmsg_len = NLMSG_LENGTH(len);
  h->nlmsg_type = (unsigned short)type;
  h->nlmsg_flags = (unsigned short)(NLM_F_REQUEST | flags);
  h->nlmsg_seq = r->count++;
  memcpy(NLMSG_DATA(h), header, len);
  r->msg = h;
  r->len += NLMSG_ALIGN(h->nlmsg_len);
}

/* An attribute of the last message; NULL once the buffer is full. */
struct rtattr *nl_attr(struct nl_request *r, int type, const void *value, size_t len) {
  struct rtattr *a = r->msg ? room(r, RTA_LENGTH(len)) : NULL;
  if (!a) return NULL;
  a->rta_type = (unsigned short)type;
  a->rta_len = (unsigned short)RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), value, len);
  r->msg->nlmsg_len = NLMSG_ALIGN(r->msg->nlmsg_len) + RTA_ALIGN(a->rta_len);
  r->len = (size_t)((char *)r->msg - r->buf) + r->msg->nlmsg_len;
  return a;
}

struct rtattr *nl_nest_begin(struct nl_request *r, int type) {
  return nl_attr(r, type, NULL, 0);
}

void nl_nest_end(struct nl_request *r, struct rtattr *nest) {
  if (nest) nest->rta_len = (unsigned short)(r->buf + r->len - (char *)nest);
}

static int nl_socket(int protocol, struct bd_error *err) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd < 0) return bd_fail(err, errno, "netlink socket");
  return fd;
}

int nl_open(struct bd_error *err) { return nl_socket(NETLINK_ROUTE, err); }

int nl_open_netfilter(struct bd_error *err) { return nl_socket(NETLINK_NETFILTER, err); }
/* setns changes only the calling thread's namespace, and only until we go
 * back; the socket stays in the namespace it was made in. (No thread of its
 * own: the shim that calls this clones with CLONE_VM, after which glibc's
 * threads are not to be trusted there.) */
int nl_open_in(int nsfd, struct bd_error *err) {
  int ours = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), fd = -1;
  if (ours < 0) return bd_fail(err, errno, "open /proc/thread-self/ns/net");
  if (setns(nsfd, CLONE_NEWNET) < 0) {
    bd_fail(err, errno, "setns into the container's network namespace");
  } else {
    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    int e = errno;
    if (setns(ours, CLONE_NEWNET) < 0) {
      /* Left in the container's namespace: nothing here may go on. */
      fprintf(stderr, "baby-docker: setns back into our network namespace: %s\n", strerrorname_np(errno));
      _exit(BD_EXIT_RUNTIME);
    }
    if (fd < 0) bd_fail(err, e, "netlink socket in the container's network namespace");
  }
  close(ours);
  return fd;
}

static int send_request(int nl, const struct nl_request *r) {
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  ssize_t n;
  if (r->overflow) {
    errno = E2BIG;
    return -1;
  }
  do n = sendto(nl, r->buf, r->len, 0, (struct sockaddr *)&kernel, sizeof kernel);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t)r->len ? 0 : -1;
}

static ssize_t receive(int nl, void *buf, size_t len, int flags) {
  ssize_t n;
  do n = recv(nl, buf, len, flags);
  while (n < 0 && errno == EINTR);
  return n;
}

/* A request of one message: r made anew with it. */
static void one_message(struct nl_request *r, int type, int flags, const void *header, size_t len) {
  nl_request_init(r);
  nl_message(r, type, flags, header, len);
}

/* Send r and read the kernel's answer into reply: 0 with the first message
 * that is not an acknowledgement (or none), else -1 with errno the kernel's. */
static int transact(int nl, struct nl_request *r, char *reply, size_t len) {
  if (send_request(nl, r) < 0) return -1;
  ssize_t n = receive(nl, reply, len, 0);
  if (n < 0) return -1;
  for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
    if (h->nlmsg_type != NLMSG_ERROR) return 0;
    const struct nlmsgerr *e = NLMSG_DATA(h);
    if (e->error == 0) return 0;
    errno = -e->error;
    return -1;
  }
  errno = EPROTO;
  return -1;
}

/* The kernel handles a request inside sendto, so every answer is queued
 * by the time it returns: they are read without waiting. */
int nl_talk(int nl, struct nl_request *r, unsigned *failed) {
  unsigned expected = 0, acked = 0;
  int error = 0;
  for (size_t at = 0; at < r->len; at += NLMSG_ALIGN(((struct nlmsghdr *)(r->buf + at))->nlmsg_len))
    expected += (((struct nlmsghdr *)(r->buf + at))->nlmsg_flags & NLM_F_ACK) != 0;
  if (send_request(nl, r) < 0) return -1;
  while (acked < expected) {
    char reply[8192];
    ssize_t n = receive(nl, reply, sizeof reply, MSG_DONTWAIT);
    if (n < 0 && errno == EAGAIN) break;
    if (n < 0) return -1;
    for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type != NLMSG_ERROR) continue;
      const struct nlmsgerr *e = NLMSG_DATA(h);
      acked++;
      if (e->error && !error) {
        error = -e->error;
        if (failed) *failed = e->msg.nlmsg_seq;
      }
    }
  }
  if (!error && acked < expected) error = EPROTO;
  errno = error;
  return error ? -1 : 0;
}

/* A request that changes something: acknowledged, or failed with the kernel's errno. */
static int change(int nl, struct nl_request *r) {
  if (r->msg) r->msg->nlmsg_flags |= NLM_F_ACK;
  return nl_talk(nl, r, NULL);
}

int nl_link_index(int nl, const char *name, struct bd_error *err) {
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  struct nl_request r;
  char reply[8192];
  one_message(&r, RTM_GETLINK, 0, &ifi, sizeof ifi);
  nl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
  if (transact(nl, &r, reply, sizeof reply) < 0) return errno == ENODEV ? 0 : bd_fail(err, errno, "netlink get link %s", name);
  const struct nlmsghdr *h = (const struct nlmsghdr *)reply;
  if (h->nlmsg_type != RTM_NEWLINK) return bd_fail(err, EPROTO, "netlink get link %s", name);
  return ((const struct ifinfomsg *)NLMSG_DATA(h))->ifi_index;
}

static void link_kind(struct nl_request *r, const char *kind) {
  struct rtattr *info = nl_nest_begin(r, IFLA_LINKINFO);
  nl_attr(r, IFLA_INFO_KIND, kind, strlen(kind));
  nl_nest_end(r, info);
}

int nl_add_bridge(int nl, const char *name, struct bd_error *err) {
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  struct nl_request r;
  one_message(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
  nl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
  link_kind(&r, "bridge");
  if (change(nl, &r) < 0) return bd_fail(err, errno, "netlink add bridge %s", name);
  return 0;
}

int nl_add_veth(int nl, const char *name, const char *peer, int peer_nsfd, struct bd_error *err) {
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  struct nl_request r;
  one_message(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
  nl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
  struct rtattr *info = nl_nest_begin(&r, IFLA_LINKINFO);
  nl_attr(&r, IFLA_INFO_KIND, "veth", 4);
  struct rtattr *data = nl_nest_begin(&r, IFLA_INFO_DATA);
  /* The peer's own link message: an ifinfomsg, then its attributes. */
  struct rtattr *peer_info = nl_attr(&r, VETH_INFO_PEER, &ifi, sizeof ifi);
  nl_attr(&r, IFLA_IFNAME, peer, strlen(peer) + 1);
  nl_attr(&r, IFLA_NET_NS_FD, &peer_nsfd, sizeof peer_nsfd);
  nl_nest_end(&r, peer_info);
  nl_nest_end(&r, data);
  nl_nest_end(&r, info);
  if (change(nl, &r) < 0) return bd_fail(err, errno, "netlink add veth %s", name);
  return 0;
}

/* RTM_NEWLINK on an existing link: what the attributes and flags say, nothing else. */
static void link_request(struct nl_request *r, int index, unsigned flags, unsigned change_mask) {
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = flags, .ifi_change = change_mask};
  one_message(r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
}

int nl_set_master(int nl, int index, int master, struct bd_error *err) {
  struct nl_request r;
  link_request(&r, index, 0, 0);
  nl_attr(&r, IFLA_MASTER, &master, sizeof master);
  if (change(nl, &r) < 0) return bd_fail(err, errno, "netlink set master of link %d", index);
  return 0;
}

int nl_set_up(int nl, int index, struct bd_error *err) {
  struct nl_request r;
  link_request(&r, index, IFF_UP, IFF_UP);
  if (change(nl, &r) < 0) return bd_fail(err, errno, "netlink set link %d up", index);
  return 0;
}

static const char *dotted(uint32_t addr, char *buf, size_t len) {
  struct in_addr in = {addr};
  return inet_ntop(AF_INET, &in, buf, (socklen_t)len) ? buf : "?";
}

int nl_add_address(int nl, int index, uint32_t addr, int prefix, struct bd_error *err) {
  struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix, .ifa_index = (unsigned)index};
  struct nl_request r;
  char shown[INET_ADDRSTRLEN];
  one_message(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
  nl_attr(&r, IFA_LOCAL, &addr, sizeof addr);
  nl_attr(&r, IFA_ADDRESS, &addr, sizeof addr);
  if (change(nl, &r) < 0) return bd_fail(err, errno, "netlink add address %s/%d", dotted(addr, shown, sizeof shown), prefix);
  return 0;
}

int nl_add_default_route(int nl, int index, uint32_t gateway, struct bd_error *err) {
  struct rtmsg rt = {
      .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST};
  struct nl_request r;
  char shown[INET_ADDRSTRLEN];
  one_message(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof rt);
  nl_attr(&r, RTA_GATEWAY, &gateway, sizeof gateway);
  nl_attr(&r, RTA_OIF, &index, sizeof index);
  if (change(nl, &r) < 0) return bd_fail(err, errno, "netlink add default route via %s", dotted(gateway, shown, sizeof shown));
  return 0;
}

int nl_delete_link(int nl, const char *name, struct bd_error *err) {
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  struct nl_request r;
  one_message(&r, RTM_DELLINK, 0, &ifi, sizeof ifi);
  nl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
  if (change(nl, &r) < 0 && errno != ENODEV) return bd_fail(err, errno, "netlink delete link %s", name);
  return 0;
}

static int overlaps(uint32_t a, int alen, uint32_t b, int blen) {
  int bits = alen < blen ? alen : blen;
  uint32_t mask = bits == 0 ? 0 : htonl(~0u << (32 - bits));
  return (a & mask) == (b & mask);
}

int nl_route_overlaps(int nl, uint32_t net, int prefix, struct bd_error *err) {
  struct rtmsg rt = {.rtm_family = AF_INET};
  struct nl_request r;
  char reply[32768];
  int found = 0;
  one_message(&r, RTM_GETROUTE, NLM_F_DUMP, &rt, sizeof rt);
  if (send_request(nl, &r) < 0) return bd_fail(err, errno, "netlink dump routes");
  for (;;) {
    ssize_t n = receive(nl, reply, sizeof reply, 0);
    if (n < 0) return bd_fail(err, errno, "netlink dump routes");
    for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return found;
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(h);
        return bd_fail(err, -e->error, "netlink dump routes");
      }
      const struct rtmsg *m = NLMSG_DATA(h);
      if (h->nlmsg_type != RTM_NEWROUTE || m->rtm_dst_len == 0) continue; /* a default route overlaps everything */
      int len = (int)RTM_PAYLOAD(h);
      for (const struct rtattr *a = RTM_RTA(m); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        uint32_t dst;
        if (a->rta_type != RTA_DST) continue;
        memcpy(&dst, RTA_DATA(a), sizeof dst);
        if (overlaps(dst, m->rtm_dst_len, net, prefix)) found = 1;
      }
    }
  }
}
