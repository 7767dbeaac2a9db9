/* Starting the container's first process: clone into new namespaces, wait
 * to be placed in the cgroup, set up the root filesystem, exec the command.
 * The parent (the shim) and the child talk over a SOCK_SEQPACKET pair. */
#ifndef BD_CONTAINER_H
#define BD_CONTAINER_H

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "cgroup.h"
#include "utils.h"
#include "layer.h"
#include "volumes.h"

struct container_config {
  const char *id;
  const char *rootfs; /* absolute path on the host */
  const char *hostname;
  char **argv; /* the command, argv[0] looked up in the container's PATH */
  char **envp;
  int tty;                        /* the command's terminal is a new pty of the container's devpts */
  struct winsize console_size;    /* that pty's first size */
  int stdio[3];                   /* fds to make the command's 0-2, or -1 each to keep ours */
  int use_init;                   /* run a tiny init as PID 1 with the command under it */
  int hardened;                   /* capabilities cut to `caps`, seccomp, masked /proc paths */
  uint64_t caps;                  /* capabilities kept when hardened (bit n = capability n) */
  int cgroup_version;             /* 1 or 2: what /sys/fs/cgroup shows inside */
  int cgroup_memory;              /* the container has a memory cgroup */
  const char *user;               /* -u: UID[:GID] or NAME[:GROUP], or NULL for root */
  const char *workdir;            /* -w: the command's working directory, or NULL for / */
  int read_only;                  /* --read-only: the container's / is mounted read-only */
  int host_network;               /* --network host: no network namespace of its own, the host's stack */
  const char *layer_dev;          /* the writable layer's loop device (see layer.h), or NULL to run on rootfs itself */
  const char *layer_dir;          /* where its filesystem is mounted, in the container's mount namespace */
  const char *root_dir;           /* where the overlay of it over the lowers is mounted, likewise */
  const char *lowers[MAX_LOWERS]; /* the overlay's lower layers, topmost first (an image's); none: rootfs alone */
  size_t nlowers;
  struct volume volumes[MAX_VOLUMES]; /* -v and --tmpfs, mounted in this order */
  size_t nvolumes;
};

/* Messages on the sync channel. */
enum sync_kind {
  SYNC_GO = 'G',    /* parent -> child: go on to the next step */
  SYNC_READY = 'R', /* child -> parent: set up, about to exec */
  SYNC_ERROR = 'E', /* child -> parent: failed, with a bd_error */
};

/* Clone the container's first process, as our child. It sets up (mounts,
 * hostname, lo), then waits for SYNC_GO, sent once it is in its cgroup; it
 * then sends SYNC_READY, waits for SYNC_GO again and execs. With cgroup_fd
 * (a cgroup v2 directory, or -1) it is born in that cgroup, and *in_cgroup
 * is 1; otherwise the caller must put it there. *sync_fd gets the parent's
 * end of the channel. Its PID namespace is nested in one whose init,
 * *holder (also our child), exits when we do, taking the whole container
 * with it; kill and reap it once the container has ended. Call once. */
pid_t container_clone(const struct container_config *c, int cgroup_fd, int *in_cgroup, int *sync_fd, pid_t *holder, struct bd_error *err);

int sync_send(int fd, char kind, const struct bd_error *payload);

/* Receive one message: its kind, 0 when the other side closed (an exec that
 * succeeded closes it), -1 on error. A SYNC_ERROR's error goes to err. */
int sync_recv(int fd, struct bd_error *err);

/* Exec the command in the current process (signals restored first). Only
 * returns through _exit, with 126 or 127 sent as SYNC_ERROR (or, with
 * sync_fd -1, printed on stderr). */
void exec_command(const struct container_config *c, int sync_fd) __attribute__((noreturn));

/* Fork c->argv's process into the running container whose first process is
 * `target`, in cgroup `cg`: into its cgroup (not the caller), all its
 * namespaces (joined by pidfd, once `target` is checked to still be the
 * container's) and root; when hardened, with its capabilities and seccomp
 * filter; in a session of its own. Its fds 0-2 are the caller's, or with
 * c->tty a new pty of the container's devpts that it leads, whose master
 * goes in *console (see console.h). Returns the child's PID and *sync_fd,
 * which gets a SYNC_ERROR (125, 126 or 127) if it fails before its exec and
 * is closed once it has exec'd; or -1 with err ("container ID has exited"). */
pid_t container_exec(pid_t target, const struct cgroup *cg, const struct container_config *c, int *sync_fd, int *console, struct bd_error *err);

/* A wait status as a shell reports it: the code, or 128 + signal number. */
int exit_code_of(int wstatus);

#endif
