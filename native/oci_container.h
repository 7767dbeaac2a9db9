/* What an OCI container's first process does to itself before it execs,
 * as its config.json asks (see oci_spec.h). */
#ifndef BD_OCI_CONTAINER_H
#define BD_OCI_CONTAINER_H

#include "oci_spec.h"
#include "utils.h"

/* In a new mount namespace: the spec's mounts in order under `rootfs` (each
 * target resolved inside it), /dev's devices and links where /dev is a
 * tmpfs, the createContainer hooks (given `state` on stdin), pivot_root, the
 * root's propagation and read-only flag, the masked and read-only paths,
 * and the sysctls. */
int oci_setup_rootfs(const struct oci_spec *spec, const char *rootfs, const char *state, struct bd_error *err);

/* rlimits, oom_score_adj, the config's seccomp filter, the user and
 * groups, capabilities, no_new_privs, and the working directory. */
int oci_setup_process(const struct oci_spec *spec, struct bd_error *err);

#endif
