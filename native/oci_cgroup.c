#define _GNU_SOURCE
#include "oci_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "device_filter.h"

/* The v1 hierarchies a container joins, where mounted. */
static const char *const V1_CONTROLLERS[] = {"memory", "pids", "cpu", "cpuset", "devices", "freezer", "blkio", "hugetlb", "net_cls"};

static int write_number(const char *dir, const char *file, int64_t value, struct bd_error *err) {
  char text[DECIMAL_STR_MAX(int64_t)];
  snprintf(text, sizeof text, "%" PRId64, value);
  return write_file(dir, file, text, err);
}

/* A limit: negative means none ("max"). */
static int write_limit(const char *dir, const char *file, int64_t value, struct bd_error *err) {
  return value < 0 ? write_file(dir, file, "max", err) : write_number(dir, file, value, err);
}

/* A new v1 cpuset gets its parent's CPUs and memory nodes: v1 leaves them
 * empty, and an empty cpuset takes no process. */
static int inherit_cpuset(const char *dir, struct bd_error *err) {
  char parent[PATH_MAX], value[256];
  if (bd_format(parent, sizeof parent, err, "%s", dir) < 0) return -1;
  *strrchr(parent, '/') = '\0';
  for (int i = 0; i < 2; i++) {
    const char *file = i ? "cpuset.mems" : "cpuset.cpus";
    if (read_file(parent, file, value, sizeof value, err) < 0 || write_file(dir, file, value, err) < 0) return -1;
  }
  return 0;
}

/* mkdir dir and any missing parent. Each parent made here is written to
 * `registry` (see oci_cgroup.h; -1: none), and dir too when it is only a
 * parent itself (`is_parent`). */
static int make_dirs(const char *dir, int cpuset, int registry, int is_parent, struct bd_error *err) {
  char path[PATH_MAX];
  if (bd_format(path, sizeof path, err, "%s", dir) < 0) return -1;
  for (char *p = path + 1;; p++) {
    if (*p != '/' && *p) continue;
    char end = *p;
    *p = '\0';
    if (mkdir(path, 0755) < 0) {
      if (errno != EEXIST) return bd_fail(err, errno, "mkdir %s", path);
    } else {
      if (cpuset && inherit_cpuset(path, err) < 0) return -1;
      if ((end || is_parent) && registry >= 0 && dprintf(registry, "%s\n", path) < 0) return bd_fail(err, errno, "record the cgroup %s", path);
    }
    if (!end) return 0;
    *p = end;
  }
}

/* The registry, open and flocked; one unlinked meanwhile (emptied by
 * another runtime) is let go and made anew. */
static int open_registry(const char *path, struct bd_error *err) {
  for (;;) {
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return bd_fail(err, errno, "open %s", path);
    struct stat held, named;
    if (flock(fd, LOCK_EX) < 0 || fstat(fd, &held) < 0) {
      int e = errno;
      close(fd);
      return bd_fail(err, e, "lock %s", path);
    }
    if (stat(path, &named) == 0 && named.st_ino == held.st_ino && named.st_dev == held.st_dev) return fd;
    close(fd);
  }
}

static int deepest_first(const void *a, const void *b) { return (int)strlen(*(char *const *)b) - (int)strlen(*(char *const *)a); }

/* Remove the registry's parents that hold no cgroup now; keep the others. */
static void sweep_registry(const char *path, int fd) {
  char text[65536], *lines[1024];
  size_t n = 0;
  ssize_t len = pread(fd, text, sizeof text - 1, 0);
  text[len > 0 ? len : 0] = '\0';
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line && n < 1024; line = strtok_r(NULL, "\n", &save)) lines[n++] = line;
  qsort(lines, n, sizeof *lines, deepest_first);
  if (ftruncate(fd, 0) < 0) return;
  size_t kept = 0;
  for (size_t i = 0; i < n; i++) {
    if (strncmp(lines[i], CGROUP_ROOT "/", strlen(CGROUP_ROOT "/")) != 0) continue; /* not one of ours */
    if (rmdir(lines[i]) == 0 || errno == ENOENT) continue;
    kept += dprintf(fd, "%s\n", lines[i]) > 0;
  }
  if (!kept) unlink(path);
}

static int write_device_rule(const char *dir, const struct oci_device_rule *d, struct bd_error *err) {
  char rule[64], major[DECIMAL_STR_MAX(int64_t)] = "*", minor[DECIMAL_STR_MAX(int64_t)] = "*";
  if (d->major >= 0) snprintf(major, sizeof major, "%" PRId64, d->major);
  if (d->minor >= 0) snprintf(minor, sizeof minor, "%" PRId64, d->minor);
  if (bd_format(rule, sizeof rule, err, "%c %s:%s %s", d->type, major, minor, d->access ? d->access : "rwm") < 0) return -1;
  return write_file(dir, d->allow ? "devices.allow" : "devices.deny", rule, err);
}

/* The rules a container's devices follow, in order: the config's, then
 * what every container may use whatever they say, as runc and crun allow
 * it (making device nodes, the devices a runtime makes in /dev
 * (oci_container.c), the ptys), then the config's own devices. v1 writes
 * them one by one; v2 compiles them into one program (device_filter.h). */
static size_t device_rules(const struct oci_resources *r, const struct oci_device *devices, size_t ndevices, struct oci_device_rule *out) {
  static const struct oci_device_rule ALWAYS[] = {
      {1, 'c', -1, -1, "m"}, {1, 'b', -1, -1, "m"}, {1, 'c', 1, 3, "rwm"}, {1, 'c', 1, 5, "rwm"}, {1, 'c', 1, 7, "rwm"},
      {1, 'c', 1, 8, "rwm"}, {1, 'c', 1, 9, "rwm"}, {1, 'c', 5, 0, "rwm"}, {1, 'c', 5, 2, "rwm"}, {1, 'c', 136, -1, "rwm"},
  };
  _Static_assert(sizeof r->devices / sizeof r->devices[0] + sizeof ALWAYS / sizeof ALWAYS[0] + OCI_MAX_ITEMS <= DEVICE_FILTER_MAX_RULES,
                 "room for every rule");
  size_t n = 0;
  for (size_t i = 0; i < r->ndevices; i++) out[n++] = r->devices[i];
  for (size_t i = 0; i < sizeof ALWAYS / sizeof ALWAYS[0]; i++) out[n++] = ALWAYS[i];
  for (size_t i = 0; i < ndevices; i++)
    if (devices[i].type != 'p') out[n++] = (struct oci_device_rule){1, devices[i].type == 'b' ? 'b' : 'c', devices[i].major, devices[i].minor, "rwm"};
  return n;
}

static int v1_write_devices(const char *dir, const struct oci_resources *r, const struct oci_device *devices, size_t ndevices, struct bd_error *err) {
  struct oci_device_rule rules[DEVICE_FILTER_MAX_RULES];
  size_t n = device_rules(r, devices, ndevices, rules);
  for (size_t i = 0; i < n; i++)
    if (write_device_rule(dir, &rules[i], err) < 0) return -1;
  return 0;
}

/* The resources that go in v1 hierarchy `controller`, at dir; `devices`, the config's, are allowed too. */
static int v1_write(const char *controller, const char *dir, const struct oci_resources *r, const struct oci_device *devices, size_t ndevices,
                    struct bd_error *err) {
  const struct {
    const char *controller, *file;
    int64_t value;
  } numbers[] = {
      {"memory", "memory.limit_in_bytes", r->memory_limit},
      {"memory", "memory.soft_limit_in_bytes", r->memory_reservation},
      {"memory", "memory.memsw.limit_in_bytes", r->memory_swap},
      {"memory", "memory.kmem.limit_in_bytes", r->memory_kernel},
      {"memory", "memory.kmem.tcp.limit_in_bytes", r->memory_kernel_tcp},
      {"memory", "memory.swappiness", r->memory_swappiness},
      {"memory", "memory.oom_control", r->disable_oom_killer ? 1 : OCI_UNSET},
      {"pids", "pids.max", r->pids_limit},
      {"cpu", "cpu.shares", r->cpu_shares},
      {"cpu", "cpu.cfs_period_us", r->cpu_period},
      {"cpu", "cpu.cfs_quota_us", r->cpu_quota},
      {"cpu", "cpu.rt_period_us", r->cpu_rt_period},
      {"cpu", "cpu.rt_runtime_us", r->cpu_rt_runtime},
  };
  for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
    if (strcmp(numbers[i].controller, controller) != 0 || numbers[i].value == OCI_UNSET) continue;
    /* pids.max takes "max", not -1; a limit of 0 means none too, as runc has it. */
    int pids = strcmp(numbers[i].file, "pids.max") == 0;
    if ((pids ? write_limit(dir, "pids.max", numbers[i].value <= 0 ? -1 : numbers[i].value, err)
              : write_number(dir, numbers[i].file, numbers[i].value, err)) < 0)
      return -1;
  }
  if (strcmp(controller, "cpuset") == 0) {
    if (r->cpus && write_file(dir, "cpuset.cpus", r->cpus, err) < 0) return -1;
    if (r->mems && write_file(dir, "cpuset.mems", r->mems, err) < 0) return -1;
  }
  return strcmp(controller, "devices") == 0 ? v1_write_devices(dir, r, devices, ndevices, err) : 0;
}

/* The resources v2 takes, at dir; `devices`, the config's, are allowed too. */
static int v2_write(const char *dir, const struct oci_resources *r, const struct oci_device *devices, size_t ndevices, struct bd_error *err) {
  char value[64];
  if (r->memory_limit != OCI_UNSET && write_limit(dir, "memory.max", r->memory_limit, err) < 0) return -1;
  if (r->memory_reservation != OCI_UNSET && write_number(dir, "memory.low", r->memory_reservation, err) < 0) return -1;
  /* v1's swap is memory + swap; v2's swap.max is swap alone. */
  if (r->memory_swap > 0 && r->memory_limit > 0 && write_number(dir, "memory.swap.max", r->memory_swap - r->memory_limit, err) < 0) return -1;
  if (r->pids_limit != OCI_UNSET && write_limit(dir, "pids.max", r->pids_limit <= 0 ? -1 : r->pids_limit, err) < 0) return -1;
  /* shares 2..262144 onto weight 1..10000, as runc and crun map them. */
  if (r->cpu_shares != OCI_UNSET && r->cpu_shares > 0 && write_number(dir, "cpu.weight", 1 + ((r->cpu_shares - 2) * 9999) / 262142, err) < 0)
    return -1;
  if (r->cpu_quota != OCI_UNSET || r->cpu_period != OCI_UNSET) {
    char quota[DECIMAL_STR_MAX(int64_t)] = "max";
    if (r->cpu_quota > 0) snprintf(quota, sizeof quota, "%" PRId64, r->cpu_quota);
    if (bd_format(value, sizeof value, err, "%s %" PRId64, quota, r->cpu_period != OCI_UNSET ? r->cpu_period : 100000) < 0 ||
        write_file(dir, "cpu.max", value, err) < 0)
      return -1;
  }
  if (r->cpus && write_file(dir, "cpuset.cpus", r->cpus, err) < 0) return -1;
  if (r->mems && write_file(dir, "cpuset.mems", r->mems, err) < 0) return -1;
  /* No rules: no program, which allows all, as v1's list does then. An
   * update's program is its rules alone (and the always-allowed): v1 adds
   * them to the list it has, which comes to the same when they begin with
   * a type 'a' rule, as engines' do. */
  if (r->ndevices) {
    struct oci_device_rule rules[DEVICE_FILTER_MAX_RULES];
    if (device_filter_apply(dir, rules, device_rules(r, devices, ndevices, rules), err) < 0) return -1;
  }
  return 0;
}

/* v2: the container's directory at `path`, its parents passing on the
 * controllers the limits use (of those this kernel has). */
static int v2_create_at(const char *path, int below_own, char *dir, int registry, struct bd_error *err) {
  static const char *const USED[] = {"memory", "pids", "cpu", "cpuset"};
  const char *wanted[5] = {NULL};
  char available[256], parent[PATH_MAX], parent_dir[PATH_MAX];
  size_t n = 0;
  if (read_file(CGROUP_ROOT, "cgroup.controllers", available, sizeof available, err) < 0) return -1;
  for (size_t i = 0; i < sizeof USED / sizeof USED[0]; i++) {
    char *at = strstr(available, USED[i]);
    size_t len = strlen(USED[i]);
    if (at && (at == available || at[-1] == ' ') && (at[len] == ' ' || at[len] == '\0')) wanted[n++] = USED[i];
  }
  if (cgroup_dir_for(NULL, path, below_own, dir, err) < 0) return -1;
  snprintf(parent, sizeof parent, "%s", dir + strlen(CGROUP_ROOT)); /* a part of dir: it fits */
  *strrchr(parent, '/') = '\0';
  if (bd_format(parent_dir, sizeof parent_dir, err, "%s%s", CGROUP_ROOT, parent) < 0) return -1;
  if ((parent[0] && make_dirs(parent_dir, 0, registry, 1, err) < 0) || cgroup_v2_enable_down(parent[0] ? parent : "/", wanted, err) < 0) return -1;
  return make_dirs(dir, 0, registry, 0, err);
}

/* v2, no cgroupsPath: where baby-docker run puts its containers, below the
 * nearest cgroup that can pass memory and pids on (ours may hold processes,
 * as a login session's scope does: v2 then lets it pass nothing on). */
static int v2_create_own(const char *id, struct oci_cgroup *cg, struct bd_error *err) {
  struct cgroup planned;
  struct cgroup_limits no_limits = {.memory = 0, .pids = 4194304}; /* the kernel's most PIDs: no limit of ours (v2_write sets the config's) */
  if (cgroup_plan(id, &no_limits, &planned, err) < 0 || cgroup_create(&planned, &no_limits, err) < 0) return -1;
  if (bd_format(cg->dirs[0], sizeof cg->dirs[0], err, "%s", planned.pids) < 0 || bd_format(cg->group, sizeof cg->group, err, "%s", planned.pids) < 0)
    return -1;
  *strrchr(cg->group, '/') = '\0';
  return 0;
}

static int create_in(const struct oci_spec *spec, const char *id, int registry, struct oci_cgroup *cg, struct bd_error *err) {
  char own_name[PATH_MAX];
  const char *path = spec->cgroups_path;
  if (path && strstr(path, "..")) return bd_fail(err, 0, "config.json: linux.cgroupsPath %s: give a path without ..", path);
  if (cgroup_detect_mode() == CGROUP_MODE_V2) {
    cg->ndirs = 1;
    if ((path ? v2_create_at(path, path[0] != '/', cg->dirs[0], registry, err) : v2_create_own(id, cg, err)) < 0) return -1;
    return v2_write(cg->dirs[0], &spec->resources, spec->devices, spec->ndevices, err);
  }
  if (!path) {
    if (bd_format(own_name, sizeof own_name, err, "baby-docker-%s", id) < 0) return -1;
    path = own_name;
  }
  for (size_t i = 0; i < sizeof V1_CONTROLLERS / sizeof V1_CONTROLLERS[0]; i++) {
    char *dir = cg->dirs[cg->ndirs];
    struct bd_error missing;
    /* A hierarchy not mounted here is left out. */
    if (cgroup_dir_for(V1_CONTROLLERS[i], path, path[0] != '/', dir, &missing) < 0) continue;
    cg->ndirs++;
    if (make_dirs(dir, strcmp(V1_CONTROLLERS[i], "cpuset") == 0, registry, 0, err) < 0 ||
        v1_write(V1_CONTROLLERS[i], dir, &spec->resources, spec->devices, spec->ndevices, err) < 0)
      return -1;
  }
  return 0;
}

int oci_cgroup_create(const struct oci_spec *spec, const char *id, const char *registry, struct oci_cgroup *cg, struct bd_error *err) {
  memset(cg, 0, sizeof *cg);
  /* Locked throughout: no delete sweeps away a parent made here before its container's own directory is in it. */
  int fd = open_registry(registry, err);
  if (fd < 0) return -1;
  int rc = create_in(spec, id, fd, cg, err);
  close(fd);
  return rc;
}

int oci_cgroup_update(const struct oci_cgroup *cg, const struct oci_resources *resources, struct bd_error *err) {
  if (cgroup_detect_mode() == CGROUP_MODE_V2) return cg->ndirs ? v2_write(cg->dirs[0], resources, NULL, 0, err) : 0;
  for (size_t i = 0; i < cg->ndirs; i++) {
    char controller[64];
    const char *after = cg->dirs[i] + strlen(CGROUP_ROOT "/");
    if (bd_format(controller, sizeof controller, err, "%.*s", (int)strcspn(after, "/"), after) < 0 ||
        v1_write(controller, cg->dirs[i], resources, NULL, 0, err) < 0)
      return -1;
  }
  return 0;
}

int oci_cgroup_join(const struct oci_cgroup *cg, pid_t pid, struct bd_error *err) {
  for (size_t i = 0; i < cg->ndirs; i++)
    if (write_number(cg->dirs[i], "cgroup.procs", pid, err) < 0) return -1;
  return 0;
}

/* The directory that freezes: v1's freezer hierarchy's, or the v2 one. */
static const char *freezer_dir(const struct oci_cgroup *cg, const char **file) {
  for (size_t i = 0; i < cg->ndirs; i++)
    if (strncmp(cg->dirs[i], CGROUP_ROOT "/freezer/", strlen(CGROUP_ROOT "/freezer/")) == 0) {
      *file = "freezer.state";
      return cg->dirs[i];
    }
  *file = "cgroup.freeze";
  return cg->ndirs == 1 ? cg->dirs[0] : NULL;
}

int oci_cgroup_freeze(const struct oci_cgroup *cg, int frozen, struct bd_error *err) {
  const char *file, *dir = freezer_dir(cg, &file);
  if (!dir) return bd_fail(err, 0, "no freezer cgroup on this host: pause needs one");
  int v1 = strcmp(file, "freezer.state") == 0;
  if (write_file(dir, file, v1 ? (frozen ? "FROZEN" : "THAWED") : (frozen ? "1" : "0"), err) < 0) return -1;
  /* v1 freezes in the background: wait until it says it has. */
  for (int i = 0; v1 && frozen && i < 1000; i++) {
    char state[32];
    if (read_file(dir, file, state, sizeof state, err) < 0) return -1;
    if (strcmp(state, "FROZEN") == 0) return 0;
    usleep(1000);
  }
  return 0;
}

int oci_cgroup_frozen(const struct oci_cgroup *cg) {
  const char *file, *dir = freezer_dir(cg, &file);
  char state[32];
  struct bd_error ignored;
  if (!dir || read_file(dir, file, state, sizeof state, &ignored) < 0) return 0;
  return strcmp(state, "FROZEN") == 0 || strcmp(state, "1") == 0;
}

int oci_cgroup_destroy(const struct oci_cgroup *cg, const char *registry, struct bd_error *err) {
  int rc = 0;
  for (size_t i = 0; i < cg->ndirs; i++)
    if (cgroup_remove_dir(cg->dirs[i], err) < 0) rc = -1;
  struct bd_error ignored;
  int fd = open_registry(registry, &ignored);
  if (fd >= 0) {
    sweep_registry(registry, fd);
    close(fd);
  }
  /* The group goes with its last container; while others are in it, it stays. */
  if (cg->group[0] && rmdir(cg->group) < 0 && errno != EBUSY && errno != ENOTEMPTY && errno != ENOENT)
    rc = bd_fail(err, errno, "rmdir %s", cg->group);
  return rc;
}
