/* A config's linux.seccomp profile (runtime-spec's JSON: defaultAction,
 * architectures, flags, syscalls with args) compiled to a BPF filter by
 * libseccomp, as runc and crun do. */
#ifndef BD_OCI_SECCOMP_H
#define BD_OCI_SECCOMP_H

#include "utils.h"

/* The filter for `profile` (a json_object), or NULL with err filled: an
 * unknown action, operator, architecture or flag, or a seccomp agent
 * (SCMP_ACT_NOTIFY, listenerPath), which we do not support. */
void *oci_seccomp_compile(void *profile, struct bd_error *err);

/* Load the filter into the calling thread: it needs CAP_SYS_ADMIN or
 * no_new_privs, and it does not set no_new_privs itself. */
int oci_seccomp_install(void *filter, struct bd_error *err);

void oci_seccomp_free(void *filter);

#endif
