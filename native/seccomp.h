/* The container's seccomp filter: Docker's default profile in spirit. Calls
 * that reach beyond the container (modules, kexec, keyrings, the clock,
 * io_uring) are refused always; calls that need CAP_SYS_ADMIN (mount,
 * unshare, setns, namespaces at clone, bpf, ...) are refused unless the
 * container keeps that capability; TIOCSTI is refused, so nothing can be
 * typed into a terminal from inside. Refused calls fail with EPERM. */
#ifndef BD_SECCOMP_H
#define BD_SECCOMP_H

#include "utils.h"

/* Install the filter on the calling thread (PR_SET_NO_NEW_PRIVS must be set).
 * With allow_admin, the CAP_SYS_ADMIN calls are let through. */
int seccomp_install(int allow_admin, struct bd_error *err);

#endif
