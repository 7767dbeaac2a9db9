/* The files that tell a container its names and its resolvers, as Docker
 * gives them: /etc/hostname, /etc/hosts and (with a network out: bridge or
 * host) /etc/resolv.conf. Written in the run's state directory and bound
 * onto the rootfs's (volumes.h: "optional" volumes, resolved inside the
 * rootfs and never through a symlink out of it; left out where the rootfs
 * has no /etc). */
#ifndef BD_NETFILES_H
#define BD_NETFILES_H

#include <limits.h>
#include <stdint.h>

#include "state.h"
#include "volumes.h"

enum netfiles_network { NETFILES_NONE, NETFILES_BRIDGE, NETFILES_HOST };

/* The files' paths, which their volumes point to: the caller keeps them for the run. */
struct netfiles {
  char hostname[PATH_MAX], hosts[PATH_MAX], resolv_conf[PATH_MAX];
};

/* Write the files and put their volumes first in volumes[0..*count) (a -v
 * of the user's onto one of them then mounts over it). */
int netfiles_prepare(const struct state *st, const char *hostname, enum netfiles_network network, struct netfiles *files, struct volume *volumes,
                     size_t *count, size_t max, struct bd_error *err);

/* Name the container's bridge address (network byte order) in its /etc/hosts. */
int netfiles_set_address(const struct state *st, const char *hostname, uint32_t addr, struct bd_error *err);

#endif
