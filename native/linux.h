/* Namespaces and mounts: everything the container's first process does to
 * its own view of the system before the command runs. */
#ifndef BD_LINUX_H
#define BD_LINUX_H

#include <stddef.h>
#include <sys/types.h>

#include "utils.h"
#include "volumes.h"

/* The namespaces a container gets at clone (the cgroup namespace is entered
 * later, once the process sits in its own cgroup). */
#define CONTAINER_CLONE_FLAGS (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC)

/* Nothing mounted in this mount namespace from here on propagates back to the host. */
int make_mounts_private(struct bd_error *err);

/* Make `rootfs` the root of this (private) mount namespace: the rootfs bound onto itself, fresh /proc, a minimal /dev, read-only /sys, then
 * pivot_root with the old root detached. Mount targets that are symlinks
 * fail the start instead of being followed. `hardened` also makes parts of
 * /proc read-only and masks others (/proc/kcore, /proc/keys, /sys/firmware...).
 * The volumes are mounted last, before pivot_root. */
int enter_rootfs(const char *rootfs, int hardened, const struct volume *volumes, size_t nvolumes, struct bd_error *err);

/* The device nodes and links of a container's /dev, a tmpfs: baby-docker
 * run's, and an OCI config's where it mounts a tmpfs there. */
struct dev_node {
  const char *name;
  unsigned major, minor;
};
struct dev_link {
  const char *name, *target;
};
#define DEV_NODE_COUNT 6
#define DEV_LINK_COUNT 6
extern const struct dev_node DEV_NODES[DEV_NODE_COUNT];
extern const struct dev_link DEV_LINKS[DEV_LINK_COUNT];

/* pivot_root into the rootfs open at rootfd (`rootfs` names it in errors):
 * pivot_root(".", ".") stacks the old root on the new one, and detaching
 * it leaves nothing of the host's tree reachable. We end in the new /. */
int pivot_into(int rootfd, const char *rootfs, struct bd_error *err);

/* Hardening of kernel paths, `name` below dirfd (AT_FDCWD: a path), never
 * through a link at its last component; a missing one is left alone.
 * mask_path: /dev/null over a file, an empty read-only tmpfs over a
 * directory. protect_path: bound onto itself, read-only (and nosuid,
 * nodev, noexec). `shown` is the directory named in errors. */
int mask_path(int dirfd, const char *shown, const char *name, struct bd_error *err);
int protect_path(int dirfd, const char *shown, const char *name, struct bd_error *err);

/* Make the rootfs's proc, sys and dev where missing (a bare tree of static
 * programs has none); *created gets a bit for each one made, for
 * remove_mount_points once the container has ended: a run leaves the
 * directory it ran on as it found it. */
int make_mount_points(const char *rootfs, unsigned *created, struct bd_error *err);
void remove_mount_points(const char *rootfs, unsigned created);

/* The container's own cgroup, read-only at /sys/fs/cgroup, as Docker shows
 * it: called inside the container's cgroup namespace, whose root is that
 * cgroup. On v2 the unified hierarchy; on v1 a tmpfs holding the pids (and,
 * with `memory`, the memory) hierarchy, and no others: in those the
 * container shares its caller's cgroup. */
int mount_cgroup_view(int cgroup_version, int memory, struct bd_error *err);

/* --read-only: remount the container's / read-only, keeping its other
 * flags (nosuid, nodev...), after pivot_root; /proc, /sys and /dev stay. */
int make_root_read_only(struct bd_error *err);

/* -w: make `dir` (absolute, in the container's view) and go into it. Called
 * after pivot_root: every path it walks is the container's own. */
int enter_workdir(const char *dir, struct bd_error *err);

int set_hostname(const char *name, struct bd_error *err);

/* Bring `lo` up in the current network namespace. */
int bring_up_loopback(struct bd_error *err);

/* The hostname seen inside the UTS namespace of process `pid`. */
int read_hostname(pid_t pid, char *out, size_t len, struct bd_error *err);

#endif
