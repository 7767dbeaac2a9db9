/* An OCI container's cgroup: at its config's cgroupsPath (absolute: below
 * each hierarchy's mount point; relative: below our own cgroup there;
 * none: baby-docker-<id> below our own), in every v1 hierarchy mounted, or
 * the one v2 directory, with linux.resources written into it. */
#ifndef BD_OCI_CGROUP_H
#define BD_OCI_CGROUP_H

#include <limits.h>
#include <sys/types.h>

#include "oci_spec.h"
#include "utils.h"

#define OCI_CGROUP_DIRS 12

struct oci_cgroup {
  size_t ndirs;
  char dirs[OCI_CGROUP_DIRS][PATH_MAX];
  char group[PATH_MAX]; /* v2, no cgroupsPath: the group its directory is in, removed with its last container; or "" */
};

/* Make the directories (and their parents) and write the limits. The
 * parents made are listed in the file `registry` (under --root, flocked),
 * shared by every container: whichever delete finds one empty removes it,
 * so a cgroupsPath's parents (containerd's /<namespace>) go with the last
 * container in them, and those that were there before are never touched. */
int oci_cgroup_create(const struct oci_spec *spec, const char *id, const char *registry, struct oci_cgroup *cg, struct bd_error *err);

/* Write new limits (update --resources): those `resources` sets. */
int oci_cgroup_update(const struct oci_cgroup *cg, const struct oci_resources *resources, struct bd_error *err);

/* Move `pid` into each directory. */
int oci_cgroup_join(const struct oci_cgroup *cg, pid_t pid, struct bd_error *err);

/* pause (frozen 1) or resume (0) every process in it: v1's freezer, v2's cgroup.freeze. */
int oci_cgroup_freeze(const struct oci_cgroup *cg, int frozen, struct bd_error *err);

/* 1 while it is frozen. */
int oci_cgroup_frozen(const struct oci_cgroup *cg);

/* SIGKILL what is left and remove the directories, and the registry's
 * parents that no container is in any more. */
int oci_cgroup_destroy(const struct oci_cgroup *cg, const char *registry, struct bd_error *err);

#endif
