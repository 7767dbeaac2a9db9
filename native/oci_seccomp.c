#define _GNU_SOURCE
#include "oci_seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h> /* libseccomp's (the runtime target has no -Inative): it compiles rules to BPF for every arch */
#include <stdio.h>
#include <string.h>

#include "oci_json.h"

/* An action's name in the profile; *action set, with `errno_ret` as the
 * data of the ones that return one. */
static int action_of(const char *name, uint32_t errno_ret, uint32_t *action, const char *where, struct bd_error *err) {
  if (!name) return bd_fail(err, 0, "config.json: %s: no action", where);
  if (strcmp(name, "SCMP_ACT_ALLOW") == 0) *action = SCMP_ACT_ALLOW;
  else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0) *action = SCMP_ACT_KILL_THREAD;
  else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0) *action = SCMP_ACT_KILL_PROCESS;
  else if (strcmp(name, "SCMP_ACT_TRAP") == 0) *action = SCMP_ACT_TRAP;
  else if (strcmp(name, "SCMP_ACT_ERRNO") == 0) *action = SCMP_ACT_ERRNO(errno_ret);
  else if (strcmp(name, "SCMP_ACT_TRACE") == 0) *action = SCMP_ACT_TRACE(errno_ret);
  else if (strcmp(name, "SCMP_ACT_LOG") == 0) *action = SCMP_ACT_LOG;
  else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0) return bd_fail(err, 0, "config.json: %s: SCMP_ACT_NOTIFY (a seccomp agent) is not supported", where);
  else return bd_fail(err, 0, "config.json: %s: unknown action %s", where, name);
  return 0;
}

static const struct named OPERATORS[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

/* A rule's args as libseccomp comparisons; *n of them. */
static int args_of(json_object *rule, struct scmp_arg_cmp *cmp, unsigned *n, const char *where, struct bd_error *err) {
  int bad = 0;
  json_object *args = member(rule, "args", json_type_array, where, err, &bad);
  size_t len = args ? json_object_array_length(args) : 0;
  *n = 0;
  if (bad) return -1;
  if (len > 6) return bd_fail(err, 0, "config.json: %sargs: at most 6", where);
  for (size_t i = 0; i < len; i++) {
    json_object *arg = json_object_array_get_idx(args, i);
    const char *op = string_of(arg, "op", "linux.seccomp.syscalls[].args[].", err, &bad);
    int k = find_named(OPERATORS, sizeof OPERATORS / sizeof OPERATORS[0], op);
    uint64_t index = u64_of(arg, "index", 6, "linux.seccomp.syscalls[].args[].", err, &bad);
    uint64_t value = u64_of(arg, "value", 0, "linux.seccomp.syscalls[].args[].", err, &bad);
    uint64_t value_two = u64_of(arg, "valueTwo", 0, "linux.seccomp.syscalls[].args[].", err, &bad);
    if (bad) return -1;
    if (k < 0) return bd_fail(err, 0, "config.json: %sargs[%zu]: unknown op %s", where, i, op ? op : "(none)");
    if (index > 5) return bd_fail(err, 0, "config.json: %sargs[%zu]: index must be 0 to 5", where, i);
    cmp[i] = (struct scmp_arg_cmp){(unsigned)index, (enum scmp_compare)OPERATORS[k].value, value, value_two};
  }
  *n = (unsigned)len;
  return 0;
}

/* One syscalls[] entry: each of its names, with its args. A name this
 * kernel's arches do not know is skipped, as runc and crun do: profiles
 * list calls of newer kernels. */
static int add_rule(scmp_filter_ctx ctx, json_object *rule, uint32_t default_action, uint32_t default_errno, size_t index, struct bd_error *err) {
  char where[64];
  snprintf(where, sizeof where, "linux.seccomp.syscalls[%zu].", index);
  int bad = 0;
  const char *action_name = string_of(rule, "action", where, err, &bad);
  uint32_t errno_ret = (uint32_t)u64_of(rule, "errnoRet", default_errno, where, err, &bad), action;
  json_object *names = member(rule, "names", json_type_array, where, err, &bad);
  char action_where[80];
  snprintf(action_where, sizeof action_where, "%saction", where);
  if (bad || action_of(action_name, errno_ret, &action, action_where, err) < 0) return -1;
  struct scmp_arg_cmp cmp[6];
  unsigned ncmp;
  if (args_of(rule, cmp, &ncmp, where, err) < 0) return -1;
  if (action == default_action) return 0; /* libseccomp refuses a rule that does what the default does */
  /* Conditions on distinct arguments must all hold; several on one
   * argument are alternatives, a rule each (as runc reads a profile). */
  int repeated = 0;
  for (unsigned i = 0; i < ncmp; i++)
    for (unsigned j = 0; j < i; j++) repeated |= cmp[i].arg == cmp[j].arg;
  for (size_t i = 0; names && i < json_object_array_length(names); i++) {
    json_object *item = json_object_array_get_idx(names, i);
    if (!json_object_is_type(item, json_type_string)) return bd_fail(err, 0, "config.json: %snames[%zu] is not a string", where, i);
    const char *name = json_object_get_string(item);
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;
    int rc = 0;
    if (!repeated) rc = seccomp_rule_add_array(ctx, action, nr, ncmp, cmp);
    for (unsigned c = 0; repeated && rc == 0 && c < ncmp; c++) rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[c]);
    if (rc < 0) return bd_fail(err, -rc, "seccomp rule for %s (%s)", name, where);
  }
  return 0;
}

/* "SCMP_ARCH_X86_64" → libseccomp's token; 0 when unknown. */
static uint32_t arch_of(const char *name) {
  char lower[32];
  const char *p = name && strncmp(name, "SCMP_ARCH_", 10) == 0 ? name + 10 : NULL;
  size_t i = 0;
  for (; p && p[i] && i < sizeof lower - 1; i++) lower[i] = (char)tolower((unsigned char)p[i]);
  lower[i] = 0;
  return p ? seccomp_arch_resolve_name(lower) : 0;
}

static const struct named FLAGS[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB},
};

static int fill(scmp_filter_ctx ctx, json_object *seccomp, uint32_t default_action, uint32_t default_errno, struct bd_error *err) {
  const char *S = "linux.seccomp.";
  const char *archs[16], *flags[8];
  size_t narchs, nflags;
  int bad = 0;
  json_object *syscalls = member(seccomp, "syscalls", json_type_array, S, err, &bad);
  if (bad || strings_of(seccomp, "architectures", archs, 16, &narchs, S, err) < 0 || strings_of(seccomp, "flags", flags, 8, &nflags, S, err) < 0)
    return -1;
  /* No no_new_privs behind the config's back: process.noNewPrivileges says. */
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc < 0) return bd_fail(err, -rc, "seccomp: leave no_new_privs alone");
  for (size_t i = 0; i < narchs; i++) {
    uint32_t arch = arch_of(archs[i]);
    if (!arch) return bd_fail(err, 0, "config.json: linux.seccomp.architectures: unknown architecture %s", archs[i]);
    if ((rc = seccomp_arch_add(ctx, arch)) < 0 && rc != -EEXIST) return bd_fail(err, -rc, "seccomp: add architecture %s", archs[i]);
  }
  for (size_t i = 0; i < nflags; i++) {
    int k = find_named(FLAGS, sizeof FLAGS / sizeof FLAGS[0], flags[i]);
    if (k < 0) return bd_fail(err, 0, "config.json: linux.seccomp.flags: unknown flag %s", flags[i]);
    if ((rc = seccomp_attr_set(ctx, (enum scmp_filter_attr)FLAGS[k].value, 1)) < 0) return bd_fail(err, -rc, "seccomp flag %s", flags[i]);
  }
  for (size_t i = 0; syscalls && i < json_object_array_length(syscalls); i++)
    if (add_rule(ctx, json_object_array_get_idx(syscalls, i), default_action, default_errno, i, err) < 0) return -1;
  return 0;
}

void *oci_seccomp_compile(void *profile, struct bd_error *err) {
  json_object *seccomp = profile;
  const char *S = "linux.seccomp.";
  int bad = 0;
  const char *listener = string_of(seccomp, "listenerPath", S, err, &bad);
  const char *default_name = string_of(seccomp, "defaultAction", S, err, &bad);
  uint32_t default_errno = (uint32_t)u64_of(seccomp, "defaultErrnoRet", EPERM, S, err, &bad), default_action;
  if (bad) return NULL;
  if (listener) return bd_fail(err, 0, "config.json: linux.seccomp.listenerPath: a seccomp agent is not supported"), NULL;
  if (action_of(default_name, default_errno, &default_action, "linux.seccomp.defaultAction", err) < 0) return NULL;
  scmp_filter_ctx ctx = seccomp_init(default_action);
  if (!ctx) return bd_fail(err, EINVAL, "seccomp_init"), NULL;
  if (fill(ctx, seccomp, default_action, default_errno, err) < 0) {
    seccomp_release(ctx);
    return NULL;
  }
  return ctx;
}

int oci_seccomp_install(void *filter, struct bd_error *err) {
  int rc = seccomp_load(filter);
  return rc < 0 ? bd_fail(err, -rc, "seccomp: load the config's filter") : 0;
}

void oci_seccomp_free(void *filter) {
  if (filter) seccomp_release(filter);
}
