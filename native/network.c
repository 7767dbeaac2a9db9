#define _GNU_SOURCE
#include "network.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nat.h"
#include "netlink.h"
#include "state.h"

#define NETWORK_DIR STATE_ROOT "/.network"
#define SUBNET_PREFIX 24

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

/* The first candidate subnet no route of the host's overlaps: 10.88-10.255,
 * then 172.16-172.31 (.0.0/24 each). */
static int choose_subnet(int nl, uint32_t *net, struct bd_error *err) {
  for (unsigned i = 0; i < (256 - 88) + 16; i++) {
    uint32_t candidate = i < 256 - 88 ? (10u << 24) | ((88u + i) << 16) : (172u << 24) | ((16u + i - (256 - 88)) << 16);
    int overlap = nl_route_overlaps(nl, htonl(candidate), SUBNET_PREFIX, err);
    if (overlap < 0) return -1;
    if (!overlap) {
      *net = htonl(candidate);
      return 0;
    }
  }
  return bd_fail(err, 0, "no free private /24 for the bridge: every candidate overlaps a route of the host's");
}

static void subnet_text(uint32_t net, char *text, size_t len) {
  char shown[INET_ADDRSTRLEN];
  struct in_addr in = {net};
  snprintf(text, len, "%s/%d", inet_ntop(AF_INET, &in, shown, sizeof shown), SUBNET_PREFIX);
}

static int read_subnet(uint32_t *net, struct bd_error *err) {
  char text[64], path[] = NETWORK_DIR "/subnet";
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? 0 : bd_fail(err, errno, "open %s", path);
  ssize_t n = read(fd, text, sizeof text - 1);
  int e = errno;
  close(fd);
  if (n < 0) return bd_fail(err, e, "read %s", path);
  text[n] = '\0';
  text[strcspn(text, "/\n")] = '\0';
  struct in_addr in;
  if (inet_pton(AF_INET, text, &in) != 1) return bd_fail(err, 0, "%s holds no subnet", path);
  *net = in.s_addr;
  return 1;
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

/* The bridge, with its gateway address, up; the subnet chosen when there is
 * none yet (no lease: whatever bd0 is there was left by a killed run). */
static int ensure_bridge(int nl, uint32_t *net, struct bd_error *err) {
  int have = read_subnet(net, err);
  if (have < 0) return -1;
  char text[64];
  if (!have) {
    if (nl_delete_link(nl, BRIDGE_NAME, err) < 0 || choose_subnet(nl, net, err) < 0) return -1;
    subnet_text(*net, text, sizeof text);
    if (mkdir(NETWORK_DIR, 0700) < 0 && errno != EEXIST) return bd_fail(err, errno, "mkdir %s", NETWORK_DIR);
    char line[72];
    snprintf(line, sizeof line, "%s\n", text);
    if (write_new_file(NETWORK_DIR "/subnet", line, err) < 0) return -1;
  }
  int index = nl_link_index(nl, BRIDGE_NAME, err);
  if (index < 0) return -1;
  if (index > 0) return index;
  subnet_text(*net, text, sizeof text);
  if (nl_add_bridge(nl, BRIDGE_NAME, err) < 0 || (index = nl_link_index(nl, BRIDGE_NAME, err)) <= 0 ||
      nl_add_address(nl, index, host_address(*net, 1), SUBNET_PREFIX, err) < 0 || nl_set_up(nl, index, err) < 0 ||
      nat_enable(text, BRIDGE_NAME, NETWORK_DIR, err) < 0) {
    struct bd_error ignored;
    nat_disable(text, BRIDGE_NAME, NETWORK_DIR);
    nl_delete_link(nl, BRIDGE_NAME, &ignored);
    return index == 0 ? bd_fail(err, 0, "the bridge %s vanished as it was made", BRIDGE_NAME) : -1;
  }
  return index;
}

/* Take the first free address .2-.254 for lease->id. */
static int take_lease(uint32_t net, struct network_lease *lease, struct bd_error *err) {
  for (unsigned host = 2; host < 255; host++) {
    char path[PATH_MAX], shown[INET_ADDRSTRLEN];
    struct in_addr in = {host_address(net, host)};
    snprintf(path, sizeof path, "%s/%s", NETWORK_DIR, inet_ntop(AF_INET, &in, shown, sizeof shown));
    int took = write_new_file(path, lease->id, err);
    if (took < 0) return -1;
    if (took) {
      lease->addr = in.s_addr;
      lease->leased = 1;
      return 0;
    }
  }
  return bd_fail(err, 0, "no free address left on the bridge %s (253 containers at most)", BRIDGE_NAME);
}

static void lease_path(uint32_t addr, char *path, size_t len) {
  char shown[INET_ADDRSTRLEN];
  struct in_addr in = {addr};
  snprintf(path, len, "%s/%s", NETWORK_DIR, inet_ntop(AF_INET, &in, shown, sizeof shown));
}

static int is_lease(const char *name) {
  struct in_addr in;
  return inet_pton(AF_INET, name, &in) == 1;
}

/* With no lease left: the bridge, its NAT and .network go. */
static void remove_bridge_if_unused(int nl) {
  struct bd_error ignored;
  uint32_t net;
  char text[64];
  DIR *d = opendir(NETWORK_DIR);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
      if (is_lease(e->d_name)) break;
    closedir(d);
    if (e) return;
  } else if (errno != ENOENT) {
    return;
  }
  int have = read_subnet(&net, &ignored);
  if (have > 0) subnet_text(net, text, sizeof text);
  nat_disable(have > 0 ? text : NULL, BRIDGE_NAME, NETWORK_DIR);
  nl_delete_link(nl, BRIDGE_NAME, &ignored);
  unlink(NETWORK_DIR "/subnet");
  rmdir(NETWORK_DIR);
}

/* The host's side, under the lock: bridge, lease, veth on the bridge. */
static int attach_host_side(int nl, int nsfd, struct network_lease *lease, struct bd_error *err) {
  uint32_t net;
  int bridge = ensure_bridge(nl, &net, err), veth;
  if (bridge < 0 || take_lease(net, lease, err) < 0) return -1;
  lease->gateway = host_address(net, 1);
  lease->prefix = SUBNET_PREFIX;
  if (nl_add_veth(nl, lease->veth, "eth0", nsfd, err) < 0 || (veth = nl_link_index(nl, lease->veth, err)) < 0) return -1;
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

int network_attach(const char *id, pid_t pid, struct network_lease *lease, struct bd_error *err) {
  char path[64];
  memset(lease, 0, sizeof *lease);
  snprintf(lease->id, sizeof lease->id, "%s", id);
  snprintf(lease->veth, sizeof lease->veth, "%s%s", VETH_PREFIX, id);
  snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
  /* `pid` is our child, not yet reaped: the number cannot name another process. */
  int nsfd = open(path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) return bd_fail(err, errno, "open %s", path);
  int lock = network_lock(err), nl = -1, rc = -1;
  if (lock < 0) goto out;
  if ((nl = nl_open(err)) < 0 || attach_host_side(nl, nsfd, lease, err) < 0) goto out;
  close(lock);
  lock = -1;
  rc = attach_container_side(nsfd, lease, err);
out:
  if (nl >= 0) close(nl);
  if (lock >= 0) close(lock);
  close(nsfd);
  if (rc < 0) network_detach(lease);
  return rc;
}

static void detach_locked(int nl, struct network_lease *lease) {
  struct bd_error ignored;
  char path[PATH_MAX];
  nl_delete_link(nl, lease->veth, &ignored); /* the peer goes with it */
  if (lease->leased) {
    lease_path(lease->addr, path, sizeof path);
    unlink(path);
    lease->leased = 0;
  }
  remove_bridge_if_unused(nl);
}

void network_detach(struct network_lease *lease) {
  struct bd_error ignored;
  if (!lease->id[0]) return;
  int lock = network_lock(&ignored);
  int nl = nl_open(&ignored);
  if (nl >= 0) {
    detach_locked(nl, lease);
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
    struct in_addr in;
    char id[64] = "";
    if (inet_pton(AF_INET, e->d_name, &in) != 1) continue;
    int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, id, sizeof id - 1);
    close(fd);
    id[n > 0 ? n : 0] = '\0';
    if (id[0] && state_is_live(id)) continue;
    memset(&lease, 0, sizeof lease);
    snprintf(lease.id, sizeof lease.id, "%s", id);
    snprintf(lease.veth, sizeof lease.veth, "%s%s", VETH_PREFIX, id);
    lease.addr = in.s_addr;
    lease.leased = 1;
    detach_locked(nl, &lease);
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
    char id[64] = "", veth[IF_NAMESIZE];
    int fd = !is_lease(e->d_name) ? -1 : openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, id, sizeof id - 1);
    close(fd);
    id[n > 0 ? n : 0] = '\0';
    snprintf(veth, sizeof veth, "%s%s", VETH_PREFIX, id);
    found = strcmp(veth, name) == 0;
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
    if (strncmp(e->d_name, VETH_PREFIX, strlen(VETH_PREFIX)) == 0 && !veth_leased(e->d_name))
      nl_delete_link(nl, e->d_name, &ignored);
  }
  closedir(d);
}

int network_collect(struct bd_error *err) {
  struct stat st;
  /* Nothing to do, without a lock: no lease and no bridge of ours. */
  if (stat(NETWORK_DIR, &st) < 0 && errno == ENOENT && stat("/sys/class/net/" BRIDGE_NAME, &st) < 0 && errno == ENOENT)
    return 0;
  int lock = network_lock(err);
  if (lock < 0) return -1;
  int nl = nl_open(err), count = -1;
  if (nl >= 0) {
    count = collect_leases(nl);
    collect_veths(nl);
    remove_bridge_if_unused(nl);
    close(nl);
  }
  close(lock);
  return count;
}
