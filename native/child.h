/* Child processes of the runtime's own (the shim), started without copying
 * the caller's memory and reaped on a thread.
 *
 * Node's spawn forks: with the TUI's 100 MB resident, copying its page
 * tables takes 5 to 10 ms of every start. posix_spawn shares the memory
 * until the child execs (CLONE_VM | CLONE_VFORK), at a cost that does not
 * grow with the caller. Node reaps only the children it spawned, by PID, so
 * these are ours to reap: one thread each waits for its child's end. */
#ifndef BD_CHILD_H
#define BD_CHILD_H

#include <sys/types.h>

#include "utils.h"

/* A pipe, both ends close-on-exec: fds[0] reads, fds[1] writes. */
int child_pipe(int fds[2], struct bd_error *err);

#define CHILD_MAX_FDS 8

/* Called on the waiting thread once the child has ended: its exit code, or
 * the signal that killed it (the other is -1). */
typedef void (*child_ended)(void *ctx, int code, int signal);

/* Start `file` with `argv` and no environment, in a session of its own, with
 * every signal unblocked and at its default; its fd i is fds[i] (-1:
 * /dev/null) for i < nfds (at most CHILD_MAX_FDS), and no other fd of ours
 * reaches it (ours are close-on-exec). A thread of its own reaps it and
 * calls `ended`. */
int child_start(const char *file, char *const argv[], const int *fds, int nfds, child_ended ended, void *ctx, pid_t *pid, struct bd_error *err);

#endif
