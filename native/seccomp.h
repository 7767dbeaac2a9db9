/* The container's seccomp filter: Docker's default profile in spirit. Calls
 * that reach beyond the container (modules, kexec, keyrings, the clock,
 * io_uring) are refused always; calls that need CAP_SYS_ADMIN (mount,
 * unshare, setns, namespaces at clone, bpf, ...) are refused unless the
 * container keeps that capability; TIOCSTI is refused, so nothing can be
 * typed into a terminal from inside. Refused calls fail with EPERM. */
#ifndef BD_SECCOMP_H
#define BD_SECCOMP_H

#include <linux/filter.h>

#include "utils.h"

#define SECCOMP_MAX_FILTER 128

/* The filter's program into out: its length, or -1 (it would not fit). No
 * syscall: test/native/unit.c runs it against calls of its own. */
int seccomp_build(int allow_admin, struct sock_filter out[SECCOMP_MAX_FILTER], struct bd_error *err);

/* Install the filter on the calling thread (PR_SET_NO_NEW_PRIVS must be set).
 * With allow_admin, the CAP_SYS_ADMIN calls are let through. */
int seccomp_install(int allow_admin, struct bd_error *err);

#endif
