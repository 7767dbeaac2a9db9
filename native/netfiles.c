#define _GNU_SOURCE
#include "netfiles.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define NETFILES_MAX 3
#define RESOLV_LEN 4096

/* The host's resolvers, for a container on the bridge: a loopback
 * nameserver (systemd-resolved's 127.0.0.53 stub) is the host's own and
 * cannot be reached from the container, so systemd-resolved's list of the
 * real upstream servers is taken instead; IPv6 ones are dropped (the bridge
 * has no IPv6). Docker's public resolvers when none is left. text is cut
 * into its lines in place. */
static int filter_resolvers(char *text, char *out, size_t len) {
  size_t used = 0;
  int kept = 0, loopback = 0;
  char *save = NULL;
  out[0] = '\0';
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char server[64];
    struct in_addr in;
    if (sscanf(line, " nameserver %63s", server) == 1) {
      if (inet_pton(AF_INET, server, &in) != 1) continue;
      if ((ntohl(in.s_addr) >> 24) == 127) {
        loopback = 1;
        continue;
      }
      kept++;
    }
    used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s\n", line);
  }
  if (used >= len) out[0] = '\0';
  return kept ? kept : (loopback ? -1 : 0);
}

static int resolv_conf(enum netfiles_network network, char *out, size_t len, struct bd_error *err) {
  char host[RESOLV_LEN] = "", upstream[RESOLV_LEN];
  struct bd_error ignored;
  if (read_file(NULL, "/etc/resolv.conf", host, sizeof host, &ignored) < 0) host[0] = '\0';
  if (network == NETFILES_HOST) return bd_format(out, len, err, "%s\n", host); /* the host's stack: its stub answers */
  int kept = filter_resolvers(host, out, len);
  if (kept < 0 && read_file(NULL, "/run/systemd/resolve/resolv.conf", upstream, sizeof upstream, &ignored) >= 0)
    kept = filter_resolvers(upstream, out, len);
  if (kept <= 0) {
    size_t used = strlen(out);
    if ((size_t)snprintf(out + used, len - used, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n") >= len - used) return bd_fail(err, E2BIG, "resolv.conf");
  }
  return 0;
}

static int write_hosts(const struct state *st, const char *hostname, const char *address, struct bd_error *err) {
  char text[512];
  if ((size_t)snprintf(text, sizeof text, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n", address, hostname) >=
      sizeof text)
    return bd_fail(err, E2BIG, "hosts");
  return state_write_readable(st, "hosts", text, err);
}

static int add_volume(const struct state *st, const char *file, const char *target, struct volume *volumes, size_t *count, size_t max, char *path,
                      size_t len, struct bd_error *err) {
  if (*count == max) return bd_fail(err, 0, "too many volumes (at most %zu)", max - NETFILES_MAX);
  if ((size_t)snprintf(path, len, "%s/%s", st->dir, file) >= len) return bd_fail(err, ENAMETOOLONG, "state dir %s", st->dir);
  memmove(volumes + 1, volumes, *count * sizeof *volumes);
  memset(volumes, 0, sizeof *volumes);
  volumes->source = path;
  volumes->target = target;
  volumes->optional = 1;
  (*count)++;
  return 0;
}

int netfiles_prepare(const struct state *st, const char *hostname, enum netfiles_network network, struct netfiles *files, struct volume *volumes,
                     size_t *count, size_t max, struct bd_error *err) {
  char text[RESOLV_LEN + 64];
  if ((size_t)snprintf(text, sizeof text, "%s\n", hostname) >= sizeof text) return bd_fail(err, E2BIG, "hostname");
  /* On the bridge the address is named once leased (netfiles_set_address). */
  if (state_write_readable(st, "hostname", text, err) < 0 || write_hosts(st, hostname, "127.0.1.1", err) < 0) return -1;
  if (network != NETFILES_NONE &&
      (resolv_conf(network, text, sizeof text, err) < 0 || state_write_readable(st, "resolv.conf", text, err) < 0 ||
       add_volume(st, "resolv.conf", "/etc/resolv.conf", volumes, count, max, files->resolv_conf, sizeof files->resolv_conf, err) < 0))
    return -1;
  return add_volume(st, "hosts", "/etc/hosts", volumes, count, max, files->hosts, sizeof files->hosts, err) < 0 ||
                 add_volume(st, "hostname", "/etc/hostname", volumes, count, max, files->hostname, sizeof files->hostname, err) < 0
             ? -1
             : 0;
}

int netfiles_set_address(const struct state *st, const char *hostname, uint32_t addr, struct bd_error *err) {
  char shown[INET_ADDRSTRLEN];
  struct in_addr in = {addr};
  return write_hosts(st, hostname, inet_ntop(AF_INET, &in, shown, sizeof shown), err);
}
