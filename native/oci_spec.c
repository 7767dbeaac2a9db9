#define _GNU_SOURCE
#include "oci_spec.h"

#include <errno.h>
#include <json-c/json.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "oci_json.h"
#include "oci_seccomp.h"

static int caps_of(json_object *caps, const char *key, uint64_t *set, struct bd_error *err) {
  const char *names[64];
  size_t n;
  if (strings_of(caps, key, names, 64, &n, "process.capabilities.", err) < 0) return -1;
  for (size_t i = 0; i < n; i++) {
    int cap = caps_from_name(names[i]);
    if (cap < 0) return bd_fail(err, 0, "config.json: process.capabilities.%s: unknown capability %s", key, names[i]);
    *set |= 1ull << cap;
  }
  return 0;
}

static const struct named RLIMITS[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_FSIZE", RLIMIT_FSIZE},       {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},   {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static const struct named NAMESPACES[] = {
    {"pid", CLONE_NEWPID}, {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},      {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS}, {"user", CLONE_NEWUSER},   {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

static int load_process(json_object *process, struct oci_spec *s, struct bd_error *err) {
  int bad = 0;
  const char *P = "process.";
  if (!process) return 0; /* a container may be created without one; it cannot start */
  s->has_process = 1;
  s->terminal = bool_of(process, "terminal", P, err, &bad);
  s->cwd = string_of(process, "cwd", P, err, &bad);
  s->no_new_privileges = bool_of(process, "noNewPrivileges", P, err, &bad);
  json_object *oom = member(process, "oomScoreAdj", json_type_int, P, err, &bad);
  if (oom) {
    s->has_oom_score_adj = 1;
    s->oom_score_adj = json_object_get_int(oom);
  }
  json_object *user = member(process, "user", json_type_object, P, err, &bad);
  s->uid = (uid_t)int_of(user, "uid", 0, "process.user.", err, &bad);
  s->gid = (gid_t)int_of(user, "gid", 0, "process.user.", err, &bad);
  if (bad) return -1;
  json_object *gids = member(user, "additionalGids", json_type_array, "process.user.", err, &bad);
  if (bad) return -1;
  for (size_t i = 0; gids && i < json_object_array_length(gids); i++) {
    if (i == OCI_MAX_ITEMS) return bd_fail(err, 0, "config.json: process.user.additionalGids: at most %d", OCI_MAX_ITEMS);
    s->additional_gids[s->nadditional_gids++] = (gid_t)json_object_get_int64(json_object_array_get_idx(gids, i));
  }
  size_t n;
  if (strings_of(process, "args", (const char **)s->args, OCI_MAX_ITEMS, &n, P, err) < 0) return -1;
  if (n == 0) return bd_fail(err, 0, "config.json: process.args is empty: give the command to run");
  s->args[n] = NULL;
  if (strings_of(process, "env", (const char **)s->env, OCI_MAX_ITEMS, &n, P, err) < 0) return -1;
  s->env[n] = NULL;
  if (!s->cwd || s->cwd[0] != '/') return bd_fail(err, 0, "config.json: process.cwd must be an absolute path");
  json_object *caps = member(process, "capabilities", json_type_object, P, err, &bad);
  if (bad) return -1;
  if (caps) {
    s->has_caps = 1;
    if (caps_of(caps, "bounding", &s->caps.bounding, err) < 0 || caps_of(caps, "effective", &s->caps.effective, err) < 0 ||
        caps_of(caps, "inheritable", &s->caps.inheritable, err) < 0 || caps_of(caps, "permitted", &s->caps.permitted, err) < 0 ||
        caps_of(caps, "ambient", &s->caps.ambient, err) < 0)
      return -1;
  }
  json_object *rlimits = member(process, "rlimits", json_type_array, P, err, &bad);
  if (bad) return -1;
  for (size_t i = 0; rlimits && i < json_object_array_length(rlimits); i++) {
    json_object *r = json_object_array_get_idx(rlimits, i);
    const char *type = string_of(r, "type", "process.rlimits[].", err, &bad);
    int k = find_named(RLIMITS, sizeof RLIMITS / sizeof RLIMITS[0], type);
    if (bad || k < 0) return bad ? -1 : bd_fail(err, 0, "config.json: process.rlimits[%zu]: unknown type %s", i, type ? type : "(none)");
    if (s->nrlimits == sizeof s->rlimits / sizeof s->rlimits[0]) return bd_fail(err, 0, "config.json: too many process.rlimits");
    struct oci_rlimit *out = &s->rlimits[s->nrlimits++];
    out->resource = RLIMITS[k].value;
    out->limit.rlim_cur = (rlim_t)int_of(r, "soft", 0, "process.rlimits[].", err, &bad);
    out->limit.rlim_max = (rlim_t)int_of(r, "hard", 0, "process.rlimits[].", err, &bad);
    if (bad) return -1;
  }
  return 0;
}

static int load_mounts(json_object *mounts, struct oci_spec *s, struct bd_error *err) {
  int bad = 0;
  size_t len = mounts ? json_object_array_length(mounts) : 0;
  if (len > OCI_MAX_ITEMS) return bd_fail(err, 0, "config.json: %zu mounts (at most %d)", len, OCI_MAX_ITEMS);
  for (size_t i = 0; i < len; i++) {
    json_object *m = json_object_array_get_idx(mounts, i);
    struct oci_mount *out = &s->mounts[s->nmounts++];
    out->destination = string_of(m, "destination", "mounts[].", err, &bad);
    out->type = string_of(m, "type", "mounts[].", err, &bad);
    out->source = string_of(m, "source", "mounts[].", err, &bad);
    if (bad) return -1;
    if (!out->destination || out->destination[0] != '/') return bd_fail(err, 0, "config.json: mounts[%zu].destination must be an absolute path", i);
    if (strings_of(m, "options", out->options, sizeof out->options / sizeof out->options[0], &out->noptions, "mounts[].", err) < 0) return -1;
  }
  return 0;
}

static int load_resources(json_object *r, struct oci_resources *out, struct bd_error *err, int bad) {
  const char *M = "linux.resources.memory.", *C = "linux.resources.cpu.";
  if (bad) return -1;
  json_object *memory = member(r, "memory", json_type_object, "linux.resources.", err, &bad);
  json_object *cpu = member(r, "cpu", json_type_object, "linux.resources.", err, &bad);
  json_object *pids = member(r, "pids", json_type_object, "linux.resources.", err, &bad);
  json_object *devices = member(r, "devices", json_type_array, "linux.resources.", err, &bad);
  out->memory_limit = int_of(memory, "limit", OCI_UNSET, M, err, &bad);
  out->memory_reservation = int_of(memory, "reservation", OCI_UNSET, M, err, &bad);
  out->memory_swap = int_of(memory, "swap", OCI_UNSET, M, err, &bad);
  out->memory_kernel = int_of(memory, "kernel", OCI_UNSET, M, err, &bad);
  out->memory_kernel_tcp = int_of(memory, "kernelTCP", OCI_UNSET, M, err, &bad);
  out->memory_swappiness = int_of(memory, "swappiness", OCI_UNSET, M, err, &bad);
  out->disable_oom_killer = bool_of(memory, "disableOOMKiller", M, err, &bad);
  out->cpu_shares = int_of(cpu, "shares", OCI_UNSET, C, err, &bad);
  out->cpu_quota = int_of(cpu, "quota", OCI_UNSET, C, err, &bad);
  out->cpu_period = int_of(cpu, "period", OCI_UNSET, C, err, &bad);
  out->cpu_rt_runtime = int_of(cpu, "realtimeRuntime", OCI_UNSET, C, err, &bad);
  out->cpu_rt_period = int_of(cpu, "realtimePeriod", OCI_UNSET, C, err, &bad);
  out->cpus = string_of(cpu, "cpus", C, err, &bad);
  out->mems = string_of(cpu, "mems", C, err, &bad);
  out->pids_limit = int_of(pids, "limit", OCI_UNSET, "linux.resources.pids.", err, &bad);
  size_t len = devices ? json_object_array_length(devices) : 0;
  if (len > sizeof out->devices / sizeof out->devices[0]) return bd_fail(err, 0, "config.json: linux.resources.devices: at most 64 rules");
  for (size_t i = 0; !bad && i < len; i++) {
    json_object *d = json_object_array_get_idx(devices, i);
    struct oci_device_rule *rule = &out->devices[out->ndevices++];
    const char *type = string_of(d, "type", "linux.resources.devices[].", err, &bad);
    rule->allow = bool_of(d, "allow", "linux.resources.devices[].", err, &bad);
    rule->major = int_of(d, "major", -1, "linux.resources.devices[].", err, &bad);
    rule->minor = int_of(d, "minor", -1, "linux.resources.devices[].", err, &bad);
    rule->access = string_of(d, "access", "linux.resources.devices[].", err, &bad);
    rule->type = type ? type[0] : 'a';
    if (!bad && (!strchr("acb", rule->type) || (type && type[1])))
      return bd_fail(err, 0, "config.json: linux.resources.devices[%zu].type %s: give a, c or b", i, type);
  }
  return bad ? -1 : 0;
}

/* linux.uidMappings or gidMappings: {containerID, hostID, size} each. */
static int load_id_maps(json_object *linux_, const char *key, struct oci_id_map *out, size_t *n, struct bd_error *err) {
  int bad = 0;
  json_object *maps = member(linux_, key, json_type_array, "linux.", err, &bad);
  size_t len = maps ? json_object_array_length(maps) : 0;
  if (bad) return -1;
  if (len > 8) return bd_fail(err, 0, "config.json: linux.%s: at most 8 ranges", key);
  for (size_t i = 0; i < len; i++) {
    json_object *m = json_object_array_get_idx(maps, i);
    char where[32];
    snprintf(where, sizeof where, "linux.%s[].", key);
    int64_t container = int_of(m, "containerID", -1, where, err, &bad), host = int_of(m, "hostID", -1, where, err, &bad),
            size = int_of(m, "size", 0, where, err, &bad);
    if (bad) return -1;
    if (container < 0 || host < 0 || size < 1 || container + size > UINT32_MAX || host + size > UINT32_MAX)
      return bd_fail(err, 0, "config.json: linux.%s[%zu]: give containerID, hostID and a size of at least 1", key, i);
    out[(*n)++] = (struct oci_id_map){(uint32_t)container, (uint32_t)host, (uint32_t)size};
  }
  return 0;
}

static int load_linux(json_object *linux_, struct oci_spec *s, struct bd_error *err) {
  int bad = 0;
  const char *L = "linux.";
  if (!linux_) return load_resources(NULL, &s->resources, err, 0); /* every limit unset */
  json_object *namespaces = member(linux_, "namespaces", json_type_array, L, err, &bad);
  if (bad) return -1;
  for (size_t i = 0; namespaces && i < json_object_array_length(namespaces); i++) {
    json_object *ns = json_object_array_get_idx(namespaces, i);
    const char *type = string_of(ns, "type", "linux.namespaces[].", err, &bad);
    int k = find_named(NAMESPACES, sizeof NAMESPACES / sizeof NAMESPACES[0], type);
    if (bad || k < 0) return bad ? -1 : bd_fail(err, 0, "config.json: linux.namespaces[%zu]: unknown type %s", i, type ? type : "(none)");
    for (size_t j = 0; j < s->nnamespaces; j++)
      if (s->namespaces[j].flag == NAMESPACES[k].value) return bd_fail(err, 0, "config.json: linux.namespaces: %s twice", type);
    if (NAMESPACES[k].value == CLONE_NEWTIME) return bd_fail(err, 0, "config.json: linux.namespaces: %s namespaces are not supported yet", type);
    s->namespaces[s->nnamespaces].flag = NAMESPACES[k].value;
    s->namespaces[s->nnamespaces++].path = string_of(ns, "path", "linux.namespaces[].", err, &bad);
    if (bad) return -1;
  }
  if (load_id_maps(linux_, "uidMappings", s->uid_maps, &s->nuid_maps, err) < 0 ||
      load_id_maps(linux_, "gidMappings", s->gid_maps, &s->ngid_maps, err) < 0)
    return -1;
  const char *user_ns = NULL;
  int user = oci_spec_namespace(s, CLONE_NEWUSER, &user_ns);
  if (user == 2 && (s->nuid_maps || s->ngid_maps))
    return bd_fail(err, 0, "config.json: linux.uidMappings/gidMappings are for a new user namespace, not one joined (%s)", user_ns);
  if (user == 1 && (!s->nuid_maps || !s->ngid_maps))
    return bd_fail(err, 0, "config.json: a new user namespace needs linux.uidMappings and linux.gidMappings");
  if (!user && (s->nuid_maps || s->ngid_maps))
    return bd_fail(err, 0, "config.json: linux.uidMappings/gidMappings are for a user namespace: add {\"type\": \"user\"} to linux.namespaces");
  json_object *devices = member(linux_, "devices", json_type_array, L, err, &bad);
  if (bad) return -1;
  for (size_t i = 0; devices && i < json_object_array_length(devices); i++) {
    if (i == OCI_MAX_ITEMS) return bd_fail(err, 0, "config.json: linux.devices: at most %d", OCI_MAX_ITEMS);
    json_object *d = json_object_array_get_idx(devices, i);
    struct oci_device *out = &s->devices[s->ndevices++];
    const char *type = string_of(d, "type", "linux.devices[].", err, &bad);
    out->path = string_of(d, "path", "linux.devices[].", err, &bad);
    out->major = (unsigned)int_of(d, "major", 0, "linux.devices[].", err, &bad);
    out->minor = (unsigned)int_of(d, "minor", 0, "linux.devices[].", err, &bad);
    out->mode = (unsigned)int_of(d, "fileMode", 0666, "linux.devices[].", err, &bad);
    out->uid = (uid_t)int_of(d, "uid", 0, "linux.devices[].", err, &bad);
    out->gid = (gid_t)int_of(d, "gid", 0, "linux.devices[].", err, &bad);
    if (bad) return -1;
    if (!out->path || out->path[0] != '/' || !type || !strchr("cbpu", type[0]) || type[1])
      return bd_fail(err, 0, "config.json: linux.devices[%zu]: give an absolute path and a type of c, b, u or p", i);
    out->type = type[0] == 'u' ? 'c' : type[0];
  }
  if (strings_of(linux_, "maskedPaths", s->masked_paths, OCI_MAX_ITEMS, &s->nmasked_paths, L, err) < 0 ||
      strings_of(linux_, "readonlyPaths", s->readonly_paths, OCI_MAX_ITEMS, &s->nreadonly_paths, L, err) < 0)
    return -1;
  json_object *sysctl = member(linux_, "sysctl", json_type_object, L, err, &bad);
  if (bad) return -1;
  if (sysctl) {
    json_object_object_foreach(sysctl, key, value) {
      if (s->nsysctls == OCI_MAX_ITEMS) return bd_fail(err, 0, "config.json: linux.sysctl: at most %d", OCI_MAX_ITEMS);
      if (json_object_get_type(value) != json_type_string) return bd_fail(err, 0, "config.json: linux.sysctl.%s is not a string", key);
      s->sysctls[s->nsysctls].key = key;
      s->sysctls[s->nsysctls++].value = json_object_get_string(value);
    }
  }
  s->rootfs_propagation = string_of(linux_, "rootfsPropagation", L, err, &bad);
  json_object *seccomp = member(linux_, "seccomp", json_type_object, L, err, &bad);
  if (seccomp && !(s->seccomp = oci_seccomp_compile(seccomp, err))) return -1;
  s->cgroups_path = string_of(linux_, "cgroupsPath", L, err, &bad);
  return load_resources(member(linux_, "resources", json_type_object, L, err, &bad), &s->resources, err, bad);
}

int oci_spec_load(const char *path, struct oci_spec *s, struct bd_error *err) {
  memset(s, 0, sizeof *s);
  json_object *root = json_object_from_file(path);
  if (!root) return bd_fail(err, 0, "read %s: %s", path, json_util_get_last_err() ? json_util_get_last_err() : "not JSON");
  s->json = root;
  int bad = 0;
  s->oci_version = string_of(root, "ociVersion", "", err, &bad);
  if (bad) goto fail;
  if (!s->oci_version || strncmp(s->oci_version, "1.", 2) != 0) {
    bd_fail(err, 0, "config.json: ociVersion %s: this runtime takes runtime-spec 1.x", s->oci_version ? s->oci_version : "(none)");
    goto fail;
  }
  json_object *rootobj = member(root, "root", json_type_object, "", err, &bad);
  s->root_path = string_of(rootobj, "path", "root.", err, &bad);
  s->root_readonly = bool_of(rootobj, "readonly", "root.", err, &bad);
  s->hostname = string_of(root, "hostname", "", err, &bad);
  s->hooks = member(root, "hooks", json_type_object, "", err, &bad);
  s->annotations = member(root, "annotations", json_type_object, "", err, &bad);
  json_object *process = member(root, "process", json_type_object, "", err, &bad);
  json_object *mounts = member(root, "mounts", json_type_array, "", err, &bad);
  json_object *linux_ = member(root, "linux", json_type_object, "", err, &bad);
  if (bad) goto fail;
  if (!s->root_path) {
    bd_fail(err, 0, "config.json: no root.path: give the root filesystem's directory");
    goto fail;
  }
  if (load_process(process, s, err) < 0 || load_mounts(mounts, s, err) < 0 || load_linux(linux_, s, err) < 0) goto fail;
  return 0;
fail:
  oci_spec_free(s);
  return -1;
}

int oci_resources_load(const char *path, struct oci_resources *r, void **doc, struct bd_error *err) {
  json_object *root = json_object_from_file(path);
  *doc = root;
  if (!root) return bd_fail(err, 0, "read %s: %s", path, json_util_get_last_err() ? json_util_get_last_err() : "not JSON");
  memset(r, 0, sizeof *r);
  if (json_object_get_type(root) != json_type_object) return bd_fail(err, 0, "%s: not a resources object (memory, cpu, pids...)", path);
  return load_resources(root, r, err, 0);
}

int oci_process_load(const char *path, struct oci_spec *s, struct bd_error *err) {
  memset(s, 0, sizeof *s);
  json_object *root = json_object_from_file(path);
  if (!root) return bd_fail(err, 0, "read %s: %s", path, json_util_get_last_err() ? json_util_get_last_err() : "not JSON");
  s->json = root;
  if (json_object_get_type(root) != json_type_object || load_process(root, s, err) < 0 || !s->has_process) {
    if (!s->has_process) bd_fail(err, 0, "%s: not a process object (args, env, cwd...)", path);
    oci_spec_free(s);
    return -1;
  }
  return 0;
}

void oci_spec_free(struct oci_spec *s) {
  if (s->json) json_object_put(s->json);
  oci_seccomp_free(s->seccomp);
  s->json = s->seccomp = NULL;
}

int oci_spec_namespace(const struct oci_spec *s, int flag, const char **path) {
  for (size_t i = 0; i < s->nnamespaces; i++)
    if (s->namespaces[i].flag == flag) {
      if (path) *path = s->namespaces[i].path;
      return s->namespaces[i].path ? 2 : 1;
    }
  return 0;
}
