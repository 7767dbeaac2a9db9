/* A small state directory per container, /run/baby-docker/<id>, so that what
 * a run created can be found and removed even when its shim was killed.
 * Beside them, ".status-<id>.sock" is where a caller that spawns a shim on a
 * pty listens for its status (see native/shim.c), until the shim connects.
 *
 *   lock    held (flock) by the live shim for the whole run
 *   cgroup  the cgroup: version, memory dir, pids dir (one a line)
 *   pid     the container's first process, as the host sees it
 *   info    for `baby-docker ps`: "started\t<unix seconds>", "rootfs\t<dir>",
 *           "command\t<command line>", one a line
 *   caps    for exec: the capabilities kept (a decimal mask), or "none" unhardened
 *   env     for exec: the container's environment, each entry NUL-terminated
 *   name    the run's --name, when it has one
 *   layer, root  empty directories the container mounts its layer and overlay on
 *   hosts, hostname, resolv.conf  bound onto the container's /etc (netfiles.h)
 * and ".names/<name>", holding the id of the run that has that name, locked
 * (flock) by its shim for the whole run: a name is taken while it is locked.
 * Root's alone, out of every container's reach: exec trusts what it reads here.
 */
#ifndef BD_STATE_H
#define BD_STATE_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "utils.h"

#define STATE_ROOT "/run/baby-docker"

struct state {
  char dir[PATH_MAX];
  int lock_fd;
};

/* Create and lock the state directory of container `id`; it appears under
 * its name only once locked, so gc never takes a starting run for a dead one. */
int state_create(const char *id, struct state *st, struct bd_error *err);

int state_write(const struct state *st, const char *file, const char *value, struct bd_error *err);
/* The same, readable by all: for a file bound into the container (see netfiles.h). */
int state_write_readable(const struct state *st, const char *file, const char *value, struct bd_error *err);

/* Make the empty directory `name` ("layer" or "root") in the state directory,
 * for the container to mount on in its own mount namespace; path gets its path. */
int state_mount_dir(const struct state *st, const char *name, char *path, size_t len, struct bd_error *err);

int state_record_cgroup(const struct state *st, const struct cgroup *cg, struct bd_error *err);

/* Record what exec needs that only the shim was told: the hardening and the environment. */
int state_record_exec(const struct state *st, int hardened, uint64_t caps, char *const *envp, struct bd_error *err);

#define STATE_ENV_LEN 65536 /* bytes of environment a container may have */
#define STATE_ENV_MAX 256   /* entries */

/* What exec needs of a running container, as its shim recorded it. */
struct exec_state {
  pid_t pid; /* its first process, as the host sees it */
  struct cgroup cg;
  int hardened;
  uint64_t caps;
  char *env[STATE_ENV_MAX + 1];
  char env_data[STATE_ENV_LEN];
};

/* Read the state of the running container `id`; fails with "container ID
 * has exited" once its shim has gone. */
int state_read_exec(const char *id, struct exec_state *x, struct bd_error *err);

/* Remove the state directory (the lock goes with the process). */
void state_remove(const struct state *st);

/* Take `name` for the run `id` for as long as the returned fd stays open
 * (the shim's life); fails "the name NAME is taken by container ID" while
 * another live run has it. A name left by a dead run is taken over. */
int state_claim_name(const char *name, const char *id, struct bd_error *err);

/* Give the name back: remove its file, then close the fd that holds it. */
void state_release_name(const char *name, int fd);

/* 1 when the run `id` is alive (its shim holds the lock), else 0. */
int state_is_live(const char *id);

/* Clean up after every dead run: kill what is left in its cgroup, remove
 * the cgroup and the state directory; and the bridge too when no run uses
 * it and `with_bridge` (baby-docker gc, not a start). Returns how many runs
 * were cleaned. */
int state_gc(int with_bridge, struct bd_error *err);

#endif
