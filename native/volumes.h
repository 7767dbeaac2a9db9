/* Volumes: host paths bound into the container (-v HOST:CTR[:ro]) and
 * tmpfs mounts (--tmpfs PATH[:OPTIONS]), mounted in the container's mount
 * namespace before pivot_root. Each target is resolved inside the rootfs:
 * a symlink there resolves as it would inside the container, never out. */
#ifndef BD_VOLUMES_H
#define BD_VOLUMES_H

#include <stddef.h>

#include "utils.h"

#define MAX_VOLUMES 64

struct volume {
  const char *source; /* a host path (file or directory); NULL for a tmpfs */
  const char *target; /* an absolute path in the container, made if missing */
  int read_only;
  const char *options; /* a tmpfs's: size=, mode=, uid=, gid=, and exec (default noexec) */
  int optional;        /* a file bound only where the rootfs has its directory and no link to nothing (netfiles.h) */
};

/* Parse a shim argument: "SOURCE:TARGET[:ro]" (bind), "TARGET[:OPTIONS]" (tmpfs). */
int volume_parse_bind(char *arg, struct volume *v, struct bd_error *err);
int volume_parse_tmpfs(char *arg, struct volume *v, struct bd_error *err);

/* openat2 with the root at rootfd: symlinks and ".." resolve as they would
 * inside the container, whose / rootfd will be. */
int volume_open_in_root(int rootfd, const char *path, int flags);

/* An O_PATH fd of `target` inside the root, made if missing: directories on
 * the way, and last a directory (want_dir) or an empty file. */
int volume_open_target(int rootfd, const char *target, int want_dir, struct bd_error *err);

/* Mount them, in order, under the rootfs open at rootfd (before pivot_root). */
int mount_volumes(int rootfd, const struct volume *volumes, size_t count, struct bd_error *err);

#endif
