#define _GNU_SOURCE
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define V1_UNLIMITED (UINT64_C(1) << 62) /* v1 reports "no limit" as a page-rounded LONG_MAX */

enum cgroup_mode cgroup_detect_mode(void) {
  struct statfs fs;
  if (statfs(CGROUP_ROOT, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) return CGROUP_MODE_V2;
  if (statfs(CGROUP_ROOT "/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) return CGROUP_MODE_HYBRID;
  return CGROUP_MODE_V1;
}

static int has_word(const char *list, const char *word, char sep) {
  size_t len = strlen(word);
  for (const char *p = list; p && *p; p = strchr(p, sep) ? strchr(p, sep) + 1 : NULL)
    if (strncmp(p, word, len) == 0 && (p[len] == sep || p[len] == '\0' || p[len] == '\n')) return 1;
  return 0;
}

/* Our own cgroup path in the hierarchy that holds `controller` (v1), or in
 * the unified hierarchy when controller is NULL. */
static int own_cgroup(const char *controller, char *out, size_t len, struct bd_error *err) {
  _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f) return bd_fail(err, errno, "open /proc/self/cgroup");
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    char *controllers = strchr(line, ':');
    char *path = controllers ? strchr(controllers + 1, ':') : NULL;
    if (!path) continue;
    *controllers++ = '\0';
    *path++ = '\0';
    path[strcspn(path, "\n")] = '\0';
    if (controller ? has_word(controllers, controller, ',') : strcmp(line, "0") == 0) return bd_format(out, len, err, "%s", path);
  }
  return bd_fail(err, ENOENT, "find the %s cgroup in /proc/self/cgroup", controller ? controller : "unified");
}

/* Mount point and mount root of the v1 hierarchy holding `controller`. */
static int v1_hierarchy(const char *controller, char *mnt, char *root, size_t len, struct bd_error *err) {
  _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return bd_fail(err, errno, "open /proc/self/mountinfo");
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    char mroot[PATH_MAX], mpoint[PATH_MAX], fstype[64], source[256], super[1024];
    char *sep = strstr(line, " - ");
    if (!sep) continue;
    if (sscanf(line, "%*s %*s %*s %4095s %4095s", mroot, mpoint) != 2) continue;
    if (sscanf(sep + 3, "%63s %255s %1023s", fstype, source, super) != 3) continue;
    if (strcmp(fstype, "cgroup") == 0 && has_word(super, controller, ',')) {
      if (bd_format(mnt, len, err, "%s", mpoint) < 0 || bd_format(root, len, err, "%s", mroot) < 0) return -1;
      return 0;
    }
  }
  return bd_fail(err, ENOENT, "find the %s hierarchy in /proc/self/mountinfo", controller);
}

int cgroup_dir_for(const char *controller, const char *path, int below_own, char *out, struct bd_error *err) {
  char mnt[PATH_MAX] = CGROUP_ROOT, root[PATH_MAX] = "/", own[PATH_MAX] = "";
  if (controller && v1_hierarchy(controller, mnt, root, sizeof mnt, err) < 0) return -1;
  if (below_own && own_cgroup(controller, own, sizeof own, err) < 0) return -1;
  const char *rel = own;
  size_t rlen = strlen(root);
  if (strcmp(root, "/") != 0 && strncmp(own, root, rlen) == 0) rel = own + rlen;
  if (strcmp(rel, "/") == 0) rel = "";
  int n = snprintf(out, PATH_MAX, "%s%s/%s", mnt, rel, path + strspn(path, "/"));
  if (n < 0 || n >= PATH_MAX) return bd_fail(err, ENAMETOOLONG, "cgroup path %s for %s", path, controller ? controller : "cgroup2");
  return 0;
}

/* <mount>/<own path relative to the mount root>/baby-docker-<id> */
static int v1_plan_dir(const char *controller, const char *id, char *out, struct bd_error *err) {
  char name[PATH_MAX];
  if (bd_format(name, sizeof name, err, "baby-docker-%s", id) < 0) return -1;
  return cgroup_dir_for(controller, name, 1, out, err);
}

static int v1_plan(const char *id, const struct cgroup_limits *limits, struct cgroup *cg, struct bd_error *err) {
  cg->version = 1;
  if (v1_plan_dir("pids", id, cg->pids, err) < 0)
    return bd_fail(err, 0,
                   "cgroups unavailable: no pids controller is mounted under %s; "
                   "mount the cgroup pids controller",
                   CGROUP_ROOT);
  struct bd_error no_memory; /* not a failure without a limit: err stays empty */
  if (v1_plan_dir("memory", id, cg->memory, &no_memory) < 0) {
    if (limits->memory)
      return bd_fail(err, 0,
                     "cgroups unavailable: no memory controller is mounted under %s; "
                     "mount it or run with --memory 0",
                     CGROUP_ROOT);
    cg->memory[0] = '\0';
  }
  return 0;
}

/* v2: the containers' cgroups gather in a group of this name, created where
 * the controllers can be passed on and removed once its last one has gone. */
#define V2_GROUP "baby-docker"

/* "/a/b" -> "/a", "/a" -> "/" */
static void parent_path(char *path) {
  char *slash = strrchr(path, '/');
  if (slash == path) slash[1] = '\0';
  else if (slash) *slash = '\0';
}

/* Turn on, for the children of dir, each of `controllers` it does not pass on yet. */
static int v2_enable_in(const char *dir, const char *const *controllers, struct bd_error *err) {
  char on[256];
  if (read_file(dir, "cgroup.subtree_control", on, sizeof on, err) < 0) return -1;
  for (const char *const *c = controllers; *c; c++) {
    char cmd[32];
    if (bd_format(cmd, sizeof cmd, err, "+%s", *c) < 0) return -1;
    if (!has_word(on, *c, ' ') && write_file(dir, "cgroup.subtree_control", cmd, err) < 0) return -1;
  }
  return 0;
}

/* The same for every cgroup from the root down to `path` ("/a/b"): v2
 * keeps a controller off below a cgroup that does not pass it on. */
int cgroup_v2_enable_down(const char *path, const char *const *controllers, struct bd_error *err) {
  char dir[PATH_MAX];
  size_t plen = strcmp(path, "/") == 0 ? 0 : strlen(path);
  for (size_t i = 0; i <= plen; i++) {
    if (i != plen && path[i] != '/') continue;
    if (i != 0 && path[i - 1] == '/') continue;
    int n = snprintf(dir, sizeof dir, "%s%.*s", CGROUP_ROOT, (int)i, path);
    if (n < 0 || n >= (int)sizeof dir) return bd_fail(err, ENAMETOOLONG, "cgroup path %s", path);
    if (v2_enable_in(dir, controllers, err) < 0) return -1;
  }
  return 0;
}

/* 1 when the cgroup holds processes of its own (v2 then lets it pass no
 * controllers on: the "no internal processes" rule, the root excepted). */
static int v2_holds_processes(const char *path) {
  char dir[PATH_MAX], procs[16];
  struct bd_error ignored;
  if (bd_format(dir, sizeof dir, &ignored, "%s%s", CGROUP_ROOT, path) < 0) return 1; /* no such cgroup to use */
  return read_file(dir, "cgroup.procs", procs, sizeof procs, &ignored) != 0;
}

static void v2_wanted(int has_memory, const char *wanted[3]) {
  wanted[0] = "pids";
  wanted[1] = has_memory ? "memory" : NULL;
  wanted[2] = NULL;
}

static int v2_plan(const char *id, const struct cgroup_limits *limits, struct cgroup *cg, struct bd_error *err) {
  char available[256], own[PATH_MAX], path[PATH_MAX];
  cg->version = 2;
  if (read_file(CGROUP_ROOT, "cgroup.controllers", available, sizeof available, err) < 0) return -1;
  int has_memory = has_word(available, "memory", ' ');
  if (!has_word(available, "pids", ' '))
    return bd_fail(err, 0,
                   "cgroups unavailable: the pids controller is not in %s/cgroup.controllers; "
                   "enable it in the kernel",
                   CGROUP_ROOT);
  if (limits->memory && !has_memory)
    return bd_fail(err, 0,
                   "cgroups unavailable: the memory controller is not in %s/cgroup.controllers; "
                   "enable it or run with --memory 0",
                   CGROUP_ROOT);
  const char *wanted[3];
  v2_wanted(has_memory, wanted);
  if (own_cgroup(NULL, own, sizeof own, err) < 0) return -1;
  /* Our own cgroup holds us, so unless it is the root the group goes beside
   * it: under the nearest ancestor that holds no processes and can pass the
   * controllers on (as systemd, runc and crun place theirs). */
  if (bd_format(path, sizeof path, err, "%s", own) < 0) return -1;
  if (strcmp(path, "/") != 0) parent_path(path);
  struct bd_error tried = {0};
  for (;;) {
    int root = strcmp(path, "/") == 0;
    if ((root || !v2_holds_processes(path)) && cgroup_v2_enable_down(path, wanted, &tried) == 0) break;
    if (root) {
      if (!tried.msg[0]) bd_fail(&tried, 0, "every cgroup above %s holds processes", own);
      return bd_fail(err, 0,
                     "cgroups unavailable: no cgroup from %s up can pass memory and pids on to a "
                     "container (%s); run baby-docker from a cgroup whose parent delegates them",
                     own, tried.msg);
    }
    parent_path(path);
  }
  int n = snprintf(cg->pids, sizeof cg->pids, "%s%s/" V2_GROUP "/baby-docker-%s", CGROUP_ROOT, strcmp(path, "/") == 0 ? "" : path, id);
  if (n < 0 || n >= (int)sizeof cg->pids) return bd_fail(err, ENAMETOOLONG, "cgroup path under %s", path);
  if (has_memory) memcpy(cg->memory, cg->pids, sizeof cg->memory); /* the same size */
  else cg->memory[0] = '\0';
  return 0;
}

/* The group a v2 container cgroup sits in: its parent directory. */
static void v2_group_of(const struct cgroup *cg, char group[static sizeof cg->pids]) {
  memcpy(group, cg->pids, sizeof cg->pids);
  parent_path(group);
}

/* mkdir the group (shared with other containers) and the container's cgroup
 * in it, enabling the controllers in between. A group emptied and removed
 * by another shim in the meantime is made again; err is only filled when
 * that does not help (a run that succeeds reports no error). */
static int v2_create_dirs(const struct cgroup *cg, struct bd_error *err) {
  char group[PATH_MAX];
  const char *wanted[3];
  struct bd_error tried;
  v2_group_of(cg, group);
  v2_wanted(cg->memory[0] != '\0', wanted);
  for (int attempt = 0; attempt < 4; attempt++) {
    if (mkdir(group, 0755) < 0 && errno != EEXIST) return bd_fail(err, errno, "mkdir %s", group);
    if (v2_enable_in(group, wanted, &tried) < 0) {
      if (path_exists(group)) break;
      continue;
    }
    if (mkdir(cg->pids, 0755) == 0) return 0;
    int e = errno;
    if (e == EEXIST) return bd_fail(err, e, "mkdir %s (a cgroup of that name exists)", cg->pids);
    bd_fail(&tried, e, "mkdir %s", cg->pids);
    if (e != ENOENT) break;
  }
  *err = tried;
  return -1;
}

int cgroup_plan(const char *id, const struct cgroup_limits *limits, struct cgroup *cg, struct bd_error *err) {
  memset(cg, 0, sizeof *cg);
  return cgroup_detect_mode() == CGROUP_MODE_V2 ? v2_plan(id, limits, cg, err) : v1_plan(id, limits, cg, err);
}

static int make_dir(const char *dir, struct bd_error *err) {
  if (mkdir(dir, 0755) < 0) {
    if (errno == EEXIST) return bd_fail(err, errno, "mkdir %s (a cgroup of that name exists)", dir);
    return bd_fail(err, errno, "mkdir %s", dir);
  }
  return 0;
}

int cgroup_create(const struct cgroup *cg, const struct cgroup_limits *limits, struct bd_error *err) {
  char value[DECIMAL_STR_MAX(uint64_t)];
  if (cg->version == 2) {
    if (v2_create_dirs(cg, err) < 0) return -1;
  } else {
    if (make_dir(cg->pids, err) < 0) return -1;
    if (cg->memory[0] && make_dir(cg->memory, err) < 0) return -1;
  }
  snprintf(value, sizeof value, "%llu", (unsigned long long)limits->pids);
  if (write_file(cg->pids, "pids.max", value, err) < 0) return -1;
  if (!limits->memory) return 0;
  snprintf(value, sizeof value, "%llu", (unsigned long long)limits->memory);
  if (cg->version == 2) {
    if (write_file(cg->memory, "memory.max", value, err) < 0) return -1;
    /* The limit covers swap too, as memsw does on v1 (no swap file: no swap). */
    char swap[PATH_MAX];
    if (bd_format(swap, sizeof swap, err, "%s/memory.swap.max", cg->memory) < 0) return -1;
    if (path_exists(swap) && write_file(cg->memory, "memory.swap.max", "0", err) < 0) return -1;
    return 0;
  }
  if (write_file(cg->memory, "memory.limit_in_bytes", value, err) < 0) return -1;
  char memsw[PATH_MAX];
  if (bd_format(memsw, sizeof memsw, err, "%s/memory.memsw.limit_in_bytes", cg->memory) < 0) return -1;
  if (path_exists(memsw) && write_file(cg->memory, "memory.memsw.limit_in_bytes", value, err) < 0) return -1;
  return 0;
}

int cgroup_open_procs(const struct cgroup *cg, int fds[2], struct bd_error *err) {
  const char *dirs[2] = {cg->pids, cg->memory[0] && strcmp(cg->memory, cg->pids) != 0 ? cg->memory : NULL};
  fds[0] = fds[1] = -1;
  for (int i = 0; i < 2 && dirs[i]; i++) {
    char path[PATH_MAX];
    if (bd_format(path, sizeof path, err, "%s/cgroup.procs", dirs[i]) < 0) {
      cgroup_close_procs(fds);
      return -1;
    }
    if ((fds[i] = open(path, O_WRONLY | O_CLOEXEC)) < 0) {
      int e = errno;
      cgroup_close_procs(fds);
      return bd_fail(err, e, "open %s", path);
    }
  }
  return 0;
}

int cgroup_join_procs(const int fds[2], pid_t pid, struct bd_error *err) {
  char value[DECIMAL_STR_MAX(int)];
  int len = snprintf(value, sizeof value, "%d", (int)pid);
  for (int i = 0; i < 2 && fds[i] >= 0; i++) {
    ssize_t n = write(fds[i], value, (size_t)len);
    if (n != len) return bd_fail(err, n < 0 ? errno : EIO, "move %d into its cgroup", (int)pid);
  }
  return 0;
}

void cgroup_close_procs(int fds[2]) {
  for (int i = 0; i < 2; i++)
    if (fds[i] >= 0) close(fds[i]);
  fds[0] = fds[1] = -1;
}

int cgroup_join(const struct cgroup *cg, pid_t pid, struct bd_error *err) {
  int fds[2];
  if (cgroup_open_procs(cg, fds, err) < 0) return -1;
  int rc = cgroup_join_procs(fds, pid, err);
  cgroup_close_procs(fds);
  return rc;
}

int cgroup_has_process(const char *dir, pid_t pid, struct bd_error *err) {
  char path[PATH_MAX];
  if (bd_format(path, sizeof path, err, "%s/cgroup.procs", dir) < 0) return -1;
  _cleanup_fclose_ FILE *f = fopen(path, "re");
  if (!f) return bd_fail(err, errno, "open %s", path);
  int listed;
  while (fscanf(f, "%d", &listed) == 1)
    if (listed == (int)pid) return 1;
  return 0;
}

int cgroup_open_for_clone(const struct cgroup *cg) { return cg->version == 2 ? open(cg->pids, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1; }

static uint64_t limit_or_none(uint64_t v) { return (v == UINT64_MAX || v >= V1_UNLIMITED) ? 0 : v; }

int cgroup_read_stats(const struct cgroup *cg, struct cgroup_stats *s, struct bd_error *err) {
  memset(s, 0, sizeof *s);
  if (read_u64(cg->pids, "pids.current", &s->pids_current, err) < 0) return -1;
  if (read_u64(cg->pids, "pids.max", &s->pids_limit, err) < 0) return -1;
  s->pids_limit = limit_or_none(s->pids_limit);
  if (!cg->memory[0]) return 0;
  s->has_memory = 1;
  struct bd_error ignored;
  if (cg->version == 2) {
    if (read_u64(cg->memory, "memory.current", &s->memory_current, err) < 0) return -1;
    if (read_u64(cg->memory, "memory.max", &s->memory_limit, err) < 0) return -1;
    s->has_peak = read_u64(cg->memory, "memory.peak", &s->memory_peak, &ignored) == 0; /* 5.19+ */
    if (read_keyed_u64(cg->memory, "memory.events", "oom_kill", &s->oom_kills, err) < 0) return -1;
  } else {
    if (read_u64(cg->memory, "memory.usage_in_bytes", &s->memory_current, err) < 0) return -1;
    if (read_u64(cg->memory, "memory.limit_in_bytes", &s->memory_limit, err) < 0) return -1;
    s->has_peak = read_u64(cg->memory, "memory.max_usage_in_bytes", &s->memory_peak, &ignored) == 0;
    if (read_keyed_u64(cg->memory, "memory.oom_control", "oom_kill", &s->oom_kills, err) < 0) return -1;
  }
  s->memory_limit = limit_or_none(s->memory_limit);
  return 0;
}

/* SIGKILL what is left in dir; 1 when processes were found. */
static int kill_procs(const char *dir) {
  char path[PATH_MAX];
  struct bd_error ignored;
  if (bd_format(path, sizeof path, &ignored, "%s/cgroup.procs", dir) < 0) return 0;
  FILE *f = fopen(path, "re");
  if (!f) return 0;
  int found = 0, pid;
  while (fscanf(f, "%d", &pid) == 1) {
    kill(pid, SIGKILL);
    found = 1;
  }
  fclose(f);
  return found;
}

int cgroup_kill(const struct cgroup *cg) {
  struct bd_error ignored;
  return cg->version == 2 ? write_file(cg->pids, "cgroup.kill", "1", &ignored) : -1;
}

int cgroup_remove_dir(const char *dir, struct bd_error *err) {
  if (!dir[0]) return 0;
  /* Like runc: retry while processes die and the kernel lets go, 1 ms doubling. */
  struct timespec wait = {0, 1000000};
  for (int attempt = 0; attempt < 12; attempt++) {
    kill_procs(dir);
    if (rmdir(dir) == 0 || errno == ENOENT) return 0;
    if (errno != EBUSY) break;
    nanosleep(&wait, NULL);
    if (wait.tv_nsec < 256000000) wait.tv_nsec *= 2;
  }
  return bd_fail(err, errno, "rmdir %s", dir);
}

int cgroup_destroy(const struct cgroup *cg, struct bd_error *err) {
  cgroup_kill(cg);
  int rc = cgroup_remove_dir(cg->pids, err);
  if (strcmp(cg->memory, cg->pids) != 0 && cgroup_remove_dir(cg->memory, err) < 0) rc = -1;
  if (cg->version == 2 && rc == 0) {
    /* The group goes with its last container; while others are in it, it stays. */
    char group[PATH_MAX];
    v2_group_of(cg, group);
    if (rmdir(group) < 0 && errno != EBUSY && errno != ENOTEMPTY && errno != ENOENT) rc = bd_fail(err, errno, "rmdir %s", group);
  }
  return rc;
}
