#define _GNU_SOURCE
#include "network.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nat.h"
#include "netlink.h"
#include "state.h"

#define NETWORK_DIR STATE_ROOT "/.network"
#define CHOSEN_PREFIX 24

/* The lock over the network's state: STATE_ROOT itself, flocked. */
static int network_lock(struct bd_error *err) {
  if (mkdir(STATE_ROOT, 0700) < 0 && errno != EEXIST) return bd_fail(err, errno, "mkdir %s", STATE_ROOT);
  int fd = open(STATE_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return bd_fail(err, errno, "open %s", STATE_ROOT);
  while (flock(fd, LOCK_EX) < 0) {
    if (errno == EINTR) continue;
    int e = errno;
    close(fd);
    return bd_fail(err, e, "lock %s", STATE_ROOT);
  }
  return fd;
}

static uint32_t host_address(uint32_t net, unsigned host) { return htonl(ntohl(net) + host); }

/* "A.B.C.D/N" for any prefix: a subnet_text buffer holds every one. */
#define SUBNET_TEXT_MAX (INET_ADDRSTRLEN + DECIMAL_STR_MAX(int))

static void subnet_text(const struct subnet *s, char text[SUBNET_TEXT_MAX]) {
  char shown[INET_ADDRSTRLEN];
  struct in_addr in = {s->net};
  snprintf(text, SUBNET_TEXT_MAX, "%s/%d", inet_ntop(AF_INET, &in, shown, sizeof shown), s->prefix);
}

/* NETWORK_DIR/A.B.C.D, a lease's file. */
#define LEASE_PATH_MAX (sizeof NETWORK_DIR "/" + INET_ADDRSTRLEN)

static char *lease_path(uint32_t addr, char path[LEASE_PATH_MAX]) {
  char shown[INET_ADDRSTRLEN];
  struct in_addr in = {addr};
  snprintf(path, LEASE_PATH_MAX, "%s/%s", NETWORK_DIR, inet_ntop(AF_INET, &in, shown, sizeof shown));
  return path;
}

/* The subnet the bridge takes: the configured one, which no route of the
 * host's may overlap; or else the first candidate none overlaps: 10.88-10.255,
 * then 172.16-172.31 (.0.0/24 each). */
static int choose_subnet(int nl, const struct subnet *configured, struct subnet *s, struct bd_error *err) {
  if (configured->prefix) {
    char text[SUBNET_TEXT_MAX];
    int overlap = nl_route_overlaps(nl, configured->net, configured->prefix, err);
    if (overlap < 0) return -1;
    subnet_text(configured, text);
    if (overlap) return bd_fail(err, 0, "the configured bridge subnet %s overlaps a route of the host's: configure another", text);
    *s = *configured;
    return 0;
  }
  for (unsigned i = 0; i < (256 - 88) + 16; i++) {
    uint32_t candidate = i < 256 - 88 ? (10u << 24) | ((88u + i) << 16) : (172u << 24) | ((16u + i - (256 - 88)) << 16);
    int overlap = nl_route_overlaps(nl, htonl(candidate), CHOSEN_PREFIX, err);
    if (overlap < 0) return -1;
    if (!overlap) {
      s->net = htonl(candidate);
      s->prefix = CHOSEN_PREFIX;
      return 0;
    }
  }
  return bd_fail(err, 0, "no free private /24 for the bridge: every candidate overlaps a route of the host's");
}

int network_parse_subnet(const char *text, struct subnet *s, struct bd_error *err) {
  char address[INET_ADDRSTRLEN];
  int prefix;
  struct in_addr in;
  char end;
  if (sscanf(text, "%15[0-9.]/%d%c", address, &prefix, &end) != 2 || inet_pton(AF_INET, address, &in) != 1 || prefix < 16 || prefix > 29 ||
      (ntohl(in.s_addr) & ((1u << (32 - prefix)) - 1)) != 0)
    return bd_fail(err, 0, "%s is no subnet for the bridge: give a network address and a prefix of 16 to 29, e.g. 10.123.0.0/24", text);
  s->net = in.s_addr;
  s->prefix = prefix;
  return 0;
}

static int read_subnet(struct subnet *s, struct bd_error *err) {
  char text[64], path[] = NETWORK_DIR "/subnet";
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? 0 : bd_fail(err, errno, "open %s", path);
  ssize_t n = read(fd, text, sizeof text - 1);
  int e = errno;
  close(fd);
  if (n < 0) return bd_fail(err, e, "read %s", path);
  text[n] = '\0';
  text[strcspn(text, "\n")] = '\0';
  return network_parse_subnet(text, s, err) < 0 ? -1 : 1;
}

static int write_new_file(const char *path, const char *value, struct bd_error *err) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return errno == EEXIST ? 0 : bd_fail(err, errno, "create %s", path);
  ssize_t n = write(fd, value, strlen(value));
  int e = errno;
  if (close(fd) < 0 && n >= 0) {
    n = -1;
    e = errno;
  }
  if (n != (ssize_t)strlen(value)) {
    unlink(path);
    return bd_fail(err, n < 0 ? e : EIO, "write %s", path);
  }
  return 1;
}

static int is_lease(const char *name) {
  struct in_addr in;
  return inet_pton(AF_INET, name, &in) == 1;
}

/* How many leases there are: the bridge's containers. */
static int lease_count(void) {
  DIR *d = opendir(NETWORK_DIR);
  if (!d) return 0;
  int count = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) count += is_lease(e->d_name);
  closedir(d);
  return count;
}

/* The bridge and its state, when no container uses it. */
static void remove_bridge(int nl) {
  struct bd_error ignored;
  nat_disable(NETWORK_DIR);
  nl_delete_link(nl, BRIDGE_NAME, &ignored);
  unlink(NETWORK_DIR "/subnet");
  rmdir(NETWORK_DIR);
}

/* The bridge, with its gateway address, up: the one there (kept between
 * runs, as docker0 is), or made anew with the configured subnet (or one
 * chosen clear of the host's routes). An unused bridge of another subnet
 * than the configured one is made again. */
static int ensure_bridge(int nl, const struct subnet *configured, struct subnet *s, int *made, struct bd_error *err) {
  int have = read_subnet(s, err);
  *made = 0;
  if (have < 0) return -1;
  if (have && configured->prefix && (configured->net != s->net || configured->prefix != s->prefix) && lease_count() == 0) {
    remove_bridge(nl);
    have = 0;
  }
  char text[SUBNET_TEXT_MAX];
  if (!have) {
    if (nl_delete_link(nl, BRIDGE_NAME, err) < 0 || choose_subnet(nl, configured, s, err) < 0) return -1;
    subnet_text(s, text);
    if (mkdir(NETWORK_DIR, 0700) < 0 && errno != EEXIST) return bd_fail(err, errno, "mkdir %s", NETWORK_DIR);
    char line[SUBNET_TEXT_MAX + 1];
    snprintf(line, sizeof line, "%s\n", text);
    if (write_new_file(NETWORK_DIR "/subnet", line, err) < 0) return -1;
  }
  int index = nl_link_index(nl, BRIDGE_NAME, err);
  if (index < 0) return -1;
  if (index > 0) return index;
  if (nl_add_bridge(nl, BRIDGE_NAME, err) < 0) return -1;
  if ((index = nl_link_index(nl, BRIDGE_NAME, err)) <= 0 || nl_add_address(nl, index, host_address(s->net, 1), s->prefix, err) < 0 ||
      /* The host's 127.0.0.1 reaches published ports through the bridge (nat.h guards it). */
      write_file(NULL, "/proc/sys/net/ipv4/conf/" BRIDGE_NAME "/route_localnet", "1", err) < 0 || nl_set_up(nl, index, err) < 0) {
    struct bd_error ignored;
    nl_delete_link(nl, BRIDGE_NAME, &ignored);
    return index == 0 ? bd_fail(err, 0, "the bridge %s vanished as it was made", BRIDGE_NAME) : -1;
  }
  *made = 1;
  return index;
}

/* A lease file's text: its run's id, then a line per published port. */
static int lease_text(const struct network_lease *lease, char *text, size_t len, struct bd_error *err) {
  size_t used = (size_t)snprintf(text, len, "%s\n", lease->id);
  for (size_t i = 0; i < lease->nports && used < len; i++) {
    char ip[INET_ADDRSTRLEN];
    struct in_addr in = {lease->ports[i].host_ip};
    used += (size_t)snprintf(text + used, len - used, "%s %u %u %s\n", lease->ports[i].udp ? "udp" : "tcp", lease->ports[i].host_port,
                             lease->ports[i].container_port, inet_ntop(AF_INET, &in, ip, sizeof ip));
  }
  return used < len ? 0 : bd_fail(err, E2BIG, "the lease of %s", lease->id);
}

int network_parse_publish(const char *arg, struct nat_port *port, struct bd_error *err) {
  char proto[4], ip[INET_ADDRSTRLEN] = "0.0.0.0";
  unsigned host, container;
  struct in_addr in;
  memset(port, 0, sizeof *port);
  int n = sscanf(arg, "%3[a-z]:%5u:%5u:%15s", proto, &host, &container, ip);
  if (n < 3 || (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0) || !host || host > 65535 || !container || container > 65535 ||
      inet_pton(AF_INET, ip, &in) != 1)
    return bd_fail(err, 0, "shim: --publish takes PROTO:HOSTPORT:PORT[:HOSTIP], not %s", arg);
  port->udp = proto[0] == 'u';
  port->host_port = (uint16_t)host;
  port->container_port = (uint16_t)container;
  port->host_ip = in.s_addr;
  return 0;
}

/* Read the lease `name` in `dir`: its run's id, and its ports with the lease's address. */
static int read_lease(int dir, const char *name, char *id, size_t idlen, struct nat_port *ports, size_t max, size_t *nports) {
  char text[4096];
  struct in_addr addr;
  *nports = 0;
  id[0] = '\0';
  if (inet_pton(AF_INET, name, &addr) != 1) return -1;
  int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  text[n > 0 ? n : 0] = '\0';
  char *save = NULL, *line = strtok_r(text, "\n", &save);
  struct bd_error ignored;
  if (bd_format(id, idlen, &ignored, "%s", line ? line : "") < 0) return -1; /* an id too long: no lease of ours */
  while ((line = strtok_r(NULL, "\n", &save)) != NULL && *nports < max) {
    char arg[64], proto[8], ip[INET_ADDRSTRLEN];
    unsigned host, container;
    if (sscanf(line, "%7s %5u %5u %15s", proto, &host, &container, ip) != 4) continue;
    snprintf(arg, sizeof arg, "%s:%u:%u:%s", proto, host, container, ip);
    if (network_parse_publish(arg, &ports[*nports], &ignored) < 0) continue;
    ports[(*nports)++].container_addr = addr.s_addr;
  }
  return 0;
}

/* Take the first free address for lease->id, from .2 up (.1 is the
 * gateway); the lease file holds its ports too. */
static int take_lease(const struct subnet *s, struct network_lease *lease, struct bd_error *err) {
  char text[4096];
  unsigned hosts = (1u << (32 - s->prefix)) - 1; /* the last is the broadcast address */
  if (lease_text(lease, text, sizeof text, err) < 0) return -1;
  for (unsigned host = 2; host < hosts; host++) {
    char path[LEASE_PATH_MAX];
    struct in_addr in = {host_address(s->net, host)};
    int took = write_new_file(lease_path(in.s_addr, path), text, err);
    if (took < 0) return -1;
    if (took) {
      lease->addr = in.s_addr;
      lease->leased = 1;
      for (size_t i = 0; i < lease->nports; i++) lease->ports[i].container_addr = in.s_addr;
      return 0;
    }
  }
  return bd_fail(err, 0, "no free address left on the bridge %s (%u containers at most on a /%d)", BRIDGE_NAME, hosts - 2, s->prefix);
}

/* The ports every live run's lease publishes (malloc'd into *all). */
static int gather_ports(struct nat_port **all, size_t *n, struct bd_error *err) {
  *all = NULL;
  *n = 0;
  DIR *d = opendir(NETWORK_DIR);
  if (!d) return errno == ENOENT ? 0 : bd_fail(err, errno, "open %s", NETWORK_DIR);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    struct nat_port ports[MAX_PUBLISHED];
    char id[64];
    size_t count;
    if (read_lease(dirfd(d), e->d_name, id, sizeof id, ports, MAX_PUBLISHED, &count) < 0 || count == 0) continue;
    if (!state_is_live(id)) continue; /* a dead run's, not collected yet: it publishes nothing */
    struct nat_port *grown = realloc(*all, (*n + count) * sizeof **all);
    if (!grown) {
      closedir(d);
      free(*all);
      *all = NULL;
      return bd_fail(err, ENOMEM, "the published ports");
    }
    *all = grown;
    memcpy(*all + *n, ports, count * sizeof *ports);
    *n += count;
  }
  closedir(d);
  return 0;
}

/* The NAT rules made again with every lease's ports; made the first time
 * (`first`: the bridge's first container) with the host's firewall choice. */
static int republish(int first, int iptables, struct bd_error *err) {
  struct subnet s;
  struct nat_port *all;
  size_t n;
  int have = read_subnet(&s, err);
  if (have <= 0) return have;
  if (gather_ports(&all, &n, err) < 0) return -1;
  int rc = first ? nat_enable(s.net, s.prefix, BRIDGE_NAME, all, n, iptables, NETWORK_DIR, err)
                 : nat_publish(s.net, s.prefix, BRIDGE_NAME, all, n, NETWORK_DIR, err);
  free(all);
  return rc;
}

static const char *port_text(const struct nat_port *p, char *text, size_t len) {
  char ip[INET_ADDRSTRLEN];
  struct in_addr in = {p->host_ip};
  snprintf(text, len, "%s%s%u/%s", p->host_ip ? inet_ntop(AF_INET, &in, ip, sizeof ip) : "", p->host_ip ? ":" : "", p->host_port,
           p->udp ? "udp" : "tcp");
  return text;
}

/* Each of lease's host ports is free: published by no other container, bound by no program of the host's. */
static int check_ports_free(const struct network_lease *lease, struct bd_error *err) {
  struct nat_port *all;
  size_t n;
  char shown[64];
  if (gather_ports(&all, &n, err) < 0) return -1;
  for (size_t i = 0; i < lease->nports; i++) {
    const struct nat_port *p = &lease->ports[i];
    for (size_t j = 0; j < n; j++)
      if (all[j].container_addr != lease->addr && all[j].udp == p->udp && all[j].host_port == p->host_port &&
          (!all[j].host_ip || !p->host_ip || all[j].host_ip == p->host_ip)) {
        free(all);
        return bd_fail(err, 0, "host port %s is published by another container already: choose another host port", port_text(p, shown, sizeof shown));
      }
    int fd = socket(AF_INET, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0), on = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(p->host_port), .sin_addr = {p->host_ip}};
    int bound = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    int e = errno;
    if (fd >= 0) close(fd);
    if (!bound) {
      free(all);
      if (e == EADDRINUSE)
        return bd_fail(err, 0, "host port %s is in use by a program of the host's: choose another host port", port_text(p, shown, sizeof shown));
      if (e == EADDRNOTAVAIL) return bd_fail(err, 0, "-p %s: that is no address of the host's", port_text(p, shown, sizeof shown));
      return bd_fail(err, e, "bind host port %s", port_text(p, shown, sizeof shown));
    }
  }
  free(all);
  return 0;
}

/* The host's side, under the lock: bridge, lease, veth on the bridge. */
static int attach_host_side(int nl, int nsfd, const struct bridge_config *config, struct network_lease *lease, struct bd_error *err) {
  struct subnet s;
  int made, bridge = ensure_bridge(nl, &config->subnet, &s, &made, err), veth;
  lease->unsupported = bridge < 0;
  if (bridge < 0 || take_lease(&s, lease, err) < 0) return -1;
  if (lease->nports && check_ports_free(lease, err) < 0) return -1;
  int first = lease_count() == 1; /* NAT comes with the bridge's first container, and goes with its last */
  lease->made_bridge = made;
  if ((first || lease->nports) && republish(first, config->iptables, err) < 0) {
    lease->unsupported = first;
    return -1;
  }
  lease->gateway = host_address(s.net, 1);
  lease->prefix = s.prefix;
  if (nl_add_veth(nl, lease->veth, "eth0", nsfd, err) < 0) {
    lease->unsupported = 1;
    return -1;
  }
  if ((veth = nl_link_index(nl, lease->veth, err)) < 0) return -1;
  if (veth == 0) return bd_fail(err, 0, "the veth %s vanished as it was made", lease->veth);
  return nl_set_master(nl, veth, bridge, err) < 0 || nl_set_up(nl, veth, err) < 0 ? -1 : 0;
}

/* The container's side, in its namespace: eth0 up with its address and route. */
static int attach_container_side(int nsfd, const struct network_lease *lease, struct bd_error *err) {
  int nl = nl_open_in(nsfd, err), rc = -1, eth0;
  if (nl < 0) return -1;
  if ((eth0 = nl_link_index(nl, "eth0", err)) < 0) goto out;
  if (eth0 == 0) {
    bd_fail(err, 0, "eth0 is missing from the container's network namespace");
    goto out;
  }
  if (nl_set_up(nl, eth0, err) < 0 || nl_add_address(nl, eth0, lease->addr, lease->prefix, err) < 0 ||
      nl_add_default_route(nl, eth0, lease->gateway, err) < 0)
    goto out;
  rc = 0;
out:
  close(nl);
  return rc;
}

int network_attach(const char *id, pid_t pid, const struct nat_port *ports, size_t nports, const struct bridge_config *config,
                   struct network_lease *lease, struct bd_error *err) {
  char path[PROC_PID_PATH_MAX];
  memset(lease, 0, sizeof *lease);
  if (nports > MAX_PUBLISHED) return bd_fail(err, 0, "too many published ports (at most %d)", MAX_PUBLISHED);
  memcpy(lease->ports, ports, nports * sizeof *ports);
  lease->nports = nports;
  /* The veth is named after the id: an id of more than 12 characters is no bridge run's (collect_leases would not know it). */
  if (bd_format(lease->id, sizeof lease->id, err, "%s", id) < 0 || bd_format(lease->veth, sizeof lease->veth, err, "%s%s", VETH_PREFIX, id) < 0) {
    lease->id[0] = '\0';
    return bd_wrap(err, "the bridge's veth for %s", id);
  }
  snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
  /* `pid` is our child, not yet reaped: the number cannot name another process. */
  int nsfd = open(path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) return bd_fail(err, errno, "open %s", path);
  int lock = network_lock(err), nl = -1, rc = -1;
  if (lock < 0) goto out;
  if ((nl = nl_open(err)) < 0 || attach_host_side(nl, nsfd, config, lease, err) < 0) goto out;
  close(lock);
  lock = -1;
  rc = attach_container_side(nsfd, lease, err);
  if (rc == 0) lease->made_bridge = 0; /* kept from now on, as docker0 is */
out:
  if (nl >= 0) close(nl);
  if (lock >= 0) close(lock);
  close(nsfd);
  if (rc < 0) network_detach(lease, 0);
  return rc;
}

/* delete_veth 0: the container's namespace has ended, and the kernel
 * removes the veth pair with it, in the background: deleting it here would
 * wait out the same teardown (10-35 ms), for nothing. */
static void detach_locked(int nl, struct network_lease *lease, int delete_veth) {
  struct bd_error ignored;
  char path[LEASE_PATH_MAX];
  if (delete_veth) nl_delete_link(nl, lease->veth, &ignored); /* the peer goes with it */
  if (lease->leased) {
    unlink(lease_path(lease->addr, path));
    lease->leased = 0;
    if (lease_count() > 0) {
      if (lease->nports) republish(0, 0, &ignored);
    } else if (lease->made_bridge) {
      remove_bridge(nl); /* a failed first run leaves the host as it found it */
    } else {
      nat_disable(NETWORK_DIR);
    }
  }
}

void network_detach(struct network_lease *lease, int container_ended) {
  struct bd_error ignored;
  if (!lease->id[0]) return;
  int lock = network_lock(&ignored);
  int nl = nl_open(&ignored);
  if (nl >= 0) {
    detach_locked(nl, lease, !container_ended);
    close(nl);
  }
  if (lock >= 0) close(lock);
  lease->id[0] = '\0';
}

/* The leases of dead runs; 1 for each one removed. */
static int collect_leases(int nl) {
  DIR *d = opendir(NETWORK_DIR);
  if (!d) return 0;
  int count = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    struct network_lease lease;
    memset(&lease, 0, sizeof lease);
    if (read_lease(dirfd(d), e->d_name, lease.id, sizeof lease.id, lease.ports, MAX_PUBLISHED, &lease.nports) < 0) continue;
    if (lease.id[0] && state_is_live(lease.id)) continue;
    struct bd_error ignored;
    if (bd_format(lease.veth, sizeof lease.veth, &ignored, "%s%s", VETH_PREFIX, lease.id) < 0) continue; /* not a lease of ours */
    inet_pton(AF_INET, e->d_name, &lease.addr);
    lease.leased = 1;
    detach_locked(nl, &lease, 1);
    count++;
  }
  closedir(d);
  return count;
}

/* 1 when a lease names the veth `name` (its run is live: dead ones were collected). */
static int veth_leased(const char *name) {
  DIR *d = opendir(NETWORK_DIR);
  if (!d) return 0;
  int found = 0;
  struct dirent *e;
  while (!found && (e = readdir(d)) != NULL) {
    char id[64], veth[IF_NAMESIZE];
    size_t nports;
    struct bd_error ignored;
    if (read_lease(dirfd(d), e->d_name, id, sizeof id, NULL, 0, &nports) < 0) continue;
    found = bd_format(veth, sizeof veth, &ignored, "%s%s", VETH_PREFIX, id) == 0 && strcmp(veth, name) == 0;
  }
  closedir(d);
  return found;
}

/* Veths of ours that no lease names: a lease is taken before its veth is
 * made, so under the lock these are only ever left by a run killed since. */
static void collect_veths(int nl) {
  DIR *d = opendir("/sys/class/net");
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    struct bd_error ignored;
    if (strncmp(e->d_name, VETH_PREFIX, strlen(VETH_PREFIX)) == 0 && !veth_leased(e->d_name)) nl_delete_link(nl, e->d_name, &ignored);
  }
  closedir(d);
}

int network_collect(int with_bridge, struct bd_error *err) {
  struct stat st;
  /* Nothing to do, without a lock: no lease and no bridge of ours. */
  if (stat(NETWORK_DIR, &st) < 0 && errno == ENOENT && stat("/sys/class/net/" BRIDGE_NAME, &st) < 0 && errno == ENOENT) return 0;
  int lock = network_lock(err);
  if (lock < 0) return -1;
  int nl = nl_open(err), count = -1;
  if (nl >= 0) {
    count = collect_leases(nl);
    collect_veths(nl);
    if (with_bridge && lease_count() == 0) remove_bridge(nl);
    close(nl);
  }
  close(lock);
  return count;
}
