/* cgroups for one container: memory and pids, on cgroup v1, hybrid or v2.
 *
 * Where they go: under the caller's own cgroup, so that a run nested in
 * another container or service keeps to its parent's limits.
 *  - v1 and hybrid (controllers on v1 hierarchies): <hierarchy>/<own cgroup
 *    of that hierarchy>/baby-docker-<id>, one directory per controller.
 *  - v2: <own cgroup>/baby-docker-<id>; when the own cgroup holds processes
 *    (v2 allows no controllers there) the nearest ancestor that can enable
 *    memory and pids for its children is used instead. */
#ifndef BD_CGROUP_H
#define BD_CGROUP_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "utils.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

enum cgroup_mode { CGROUP_MODE_V1 = 1, CGROUP_MODE_V2 = 2, CGROUP_MODE_HYBRID = 3 };

/* The directories of one container's cgroup; on v2 both are the same.
 * memory is "" when no memory controller exists and no limit was asked. */
struct cgroup {
  int version; /* 1 or 2: which file names apply */
  char memory[PATH_MAX];
  char pids[PATH_MAX];
};

struct cgroup_limits {
  uint64_t memory; /* bytes; 0 = no limit */
  uint64_t pids;   /* at least 1 */
};

struct cgroup_stats {
  uint64_t memory_current, memory_peak, memory_limit, oom_kills; /* limit 0 = none */
  uint64_t pids_current, pids_limit;
  int has_memory, has_peak;
};

enum cgroup_mode cgroup_detect_mode(void);

/* Work out where the cgroup of container `id` goes (nothing is created
 * except, on v2, enabling controllers for the chosen parent). */
int cgroup_plan(const char *id, const struct cgroup_limits *limits, struct cgroup *cg, struct bd_error *err);

/* mkdir the planned directories and write the limits. Fails when they exist
 * already: a container never starts in a cgroup it did not make. */
int cgroup_create(const struct cgroup *cg, const struct cgroup_limits *limits, struct bd_error *err);

int cgroup_join(const struct cgroup *cg, pid_t pid, struct bd_error *err);

/* cgroup_join in two steps: open cgroup.procs of each directory (fds[1] is
 * -1 when one directory serves both), then move `pid` in through them, even
 * from another mount namespace; close them after. */
int cgroup_open_procs(const struct cgroup *cg, int fds[2], struct bd_error *err);
int cgroup_join_procs(const int fds[2], pid_t pid, struct bd_error *err);
void cgroup_close_procs(int fds[2]);

/* 1 when `pid` is one of the processes cgroup.procs in `dir` lists, else 0, or -1. */
int cgroup_has_process(const char *dir, pid_t pid, struct bd_error *err);

/* On v2, an fd of the cgroup directory for clone3(CLONE_INTO_CGROUP), so the
 * container is born in it instead of being moved; -1 on v1. */
int cgroup_open_for_clone(const struct cgroup *cg);

/* v2: SIGKILL every process of the cgroup at once (cgroup.kill, Linux 5.14);
 * -1 where that is not to be had. */
int cgroup_kill(const struct cgroup *cg);

int cgroup_read_stats(const struct cgroup *cg, struct cgroup_stats *stats, struct bd_error *err);

/* SIGKILL every process left in the cgroup and remove its directories
 * (deepest first, retrying while the kernel still reports them busy).
 * Missing directories are fine. */
int cgroup_destroy(const struct cgroup *cg, struct bd_error *err);

/* For cgroups at a path given (an OCI config's cgroupsPath): the directory
 * of `path` in the v1 hierarchy of `controller` (NULL: the v2 one), below
 * the mount point, or below our own cgroup there when `below_own`. */
int cgroup_dir_for(const char *controller, const char *path, int below_own, char *out, struct bd_error *err);

/* v2: turn each of `controllers` on for the children of every cgroup from
 * the root down to `path` ("/a/b", below the v2 mount). */
int cgroup_v2_enable_down(const char *path, const char *const *controllers, struct bd_error *err);

/* SIGKILL what is in cgroup `dir` and remove it, retrying while the kernel
 * still reports it busy; a missing one is fine. */
int cgroup_remove_dir(const char *dir, struct bd_error *err);

#endif
