/* Unit tests of the native core's pure parts, built and run by
 * test/native-unit.test.ts: the seccomp program (run here by a small
 * classic-BPF interpreter against calls of our own, its jumps checked to
 * land inside it), the cgroup v2 device program (run by a small eBPF
 * interpreter against device accesses, as v1's rules would answer them),
 * the container-id check, checked path formatting, and the path walks that
 * must stay inside a root (image_fs.c's, for a layer's entries, and
 * volumes.c's, for mount targets in a rootfs) against a tree of hostile
 * symlinks built in a temporary directory.
 * One line a check, "ok" or "not ok"; the exit status is the failures. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "device_filter.h"
#include "image_fs.h"
#include "seccomp.h"
#include "utils.h"
#include "volumes.h"

static int failures;

static void check(int ok, const char *what) {
  printf("%s - %s\n", ok ? "ok" : "not ok", what);
  failures += !ok;
}

/* What the kernel would answer: the program's return value, or a value no
 * program returns when it runs off its end or meets an unknown instruction. */
#define FELL_OFF 0xdeadbeefu
static unsigned run(const struct sock_filter *p, int len, unsigned arch, int nr, unsigned long arg0, unsigned long arg1) {
  struct seccomp_data d = {.nr = nr, .arch = arch, .args = {arg0, arg1}};
  unsigned a = 0;
  for (int pc = 0; pc < len; pc++) {
    const struct sock_filter *i = &p[pc];
    switch (i->code) {
      case BPF_LD | BPF_W | BPF_ABS:
        if (i->k + 4 > sizeof d) return FELL_OFF;
        memcpy(&a, (const char *)&d + i->k, 4);
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        pc += a == i->k ? i->jt : i->jf;
        break;
      case BPF_JMP | BPF_JSET | BPF_K:
        pc += (a & i->k) ? i->jt : i->jf;
        break;
      case BPF_RET | BPF_K:
        return i->k;
      default:
        return FELL_OFF;
    }
  }
  return FELL_OFF;
}

#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))
#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define OTHER_ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#define OTHER_ARCH AUDIT_ARCH_ARM
#endif

static void seccomp_program(int admin) {
  struct sock_filter p[SECCOMP_MAX_FILTER];
  struct bd_error err;
  char what[128];
  int len = seccomp_build(admin, p, &err);
  check(len > 0, admin ? "the filter with CAP_SYS_ADMIN builds" : "the filter builds");
  int inside = 1;
  for (int pc = 0; pc < len; pc++)
    if (BPF_CLASS(p[pc].code) == BPF_JMP && (pc + 1 + p[pc].jt >= len || pc + 1 + p[pc].jf >= len)) inside = 0;
  check(inside, "every jump lands inside the program");
  const unsigned native = NATIVE_ARCH;
  const unsigned perm = ERRNO(EPERM), allow = SECCOMP_RET_ALLOW;
  const struct {
    const char *call;
    unsigned arch;
    int nr;
    unsigned long arg0, arg1;
    unsigned want, want_admin;
  } cases[] = {
    {"read", native, SYS_read, 0, 0, allow, allow},
    {"another architecture's call", OTHER_ARCH, 3, 0, 0, ERRNO(ENOSYS), ERRNO(ENOSYS)},
#if defined(__x86_64__)
    {"an x32 call", native, 0x40000000 | SYS_read, 0, 0, ERRNO(ENOSYS), ERRNO(ENOSYS)},
#endif
    {"kexec_load", native, SYS_kexec_load, 0, 0, perm, perm},
    {"mount", native, SYS_mount, 0, 0, perm, allow},
    {"clone3", native, SYS_clone3, 0, 0, ERRNO(ENOSYS), ERRNO(ENOSYS)},
    {"socket(AF_VSOCK)", native, SYS_socket, AF_VSOCK, 0, perm, perm},
    {"socket(AF_INET)", native, SYS_socket, AF_INET, 0, allow, allow},
    {"ioctl(TIOCSTI)", native, SYS_ioctl, 0, TIOCSTI, perm, perm},
    {"ioctl(TCGETS)", native, SYS_ioctl, 0, TCGETS, allow, allow},
    {"clone(CLONE_NEWNS)", native, SYS_clone, CLONE_NEWNS, 0, perm, allow},
    {"clone(CLONE_NEWUSER)", native, SYS_clone, CLONE_NEWUSER, 0, perm, allow},
    {"clone of a thread", native, SYS_clone, CLONE_VM | CLONE_THREAD | CLONE_SIGHAND, 0, allow, allow},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    unsigned want = admin ? cases[i].want_admin : cases[i].want;
    unsigned got = run(p, len, cases[i].arch, cases[i].nr, cases[i].arg0, cases[i].arg1);
    snprintf(what, sizeof what, "%s%s: %#x (want %#x)", cases[i].call, admin ? " with CAP_SYS_ADMIN" : "", got, want);
    check(got == want, what);
  }
}

/* The subset of eBPF the device program uses, run against one access: its
 * return value (1 allows), or FELL_OFF. */
static unsigned run_device(const struct bpf_insn *p, int len, int type, int access, unsigned major, unsigned minor) {
  struct bpf_cgroup_dev_ctx ctx = {.access_type = (unsigned)(access << 16 | type), .major = major, .minor = minor};
  uint64_t r[11] = {0};
  r[1] = (uintptr_t)&ctx;
  for (int pc = 0; pc < len; pc++) {
    const struct bpf_insn *i = &p[pc];
    uint32_t imm = (uint32_t)i->imm;
    switch (i->code) {
      case BPF_LDX | BPF_MEM | BPF_W:
        r[i->dst_reg] = *(const uint32_t *)((const char *)(uintptr_t)r[i->src_reg] + i->off);
        break;
      case BPF_ALU | BPF_MOV | BPF_X:
        r[i->dst_reg] = (uint32_t)r[i->src_reg];
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        r[i->dst_reg] = (uint32_t)r[i->dst_reg] & imm;
        break;
      case BPF_ALU | BPF_RSH | BPF_K:
        r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> imm;
        break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
        pc += r[i->dst_reg] != (uint64_t)(int64_t)i->imm ? i->off : 0;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        pc += r[i->dst_reg] == (uint64_t)(int64_t)i->imm ? i->off : 0;
        break;
      case BPF_JMP | BPF_EXIT:
        return (unsigned)r[0];
      default:
        return FELL_OFF;
    }
    if (pc + 1 < 0 || pc + 1 > len) return FELL_OFF;
  }
  return FELL_OFF;
}

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

/* Each access: {type, access, major, minor, the answer wanted (1 allows)}. */
static void device_program(const char *what, const struct oci_device_rule *rules, size_t nrules, const unsigned (*accesses)[5], size_t n) {
  static struct bpf_insn p[DEVICE_FILTER_MAX_INSNS];
  struct bd_error err;
  char line[160];
  int len = device_filter_build(rules, nrules, p, &err);
  snprintf(line, sizeof line, "%s: the device program builds", what);
  check(len > 0, line);
  for (size_t i = 0; i < n; i++) {
    unsigned got = run_device(p, len, (int)accesses[i][0], (int)accesses[i][1], accesses[i][2], accesses[i][3]);
    snprintf(line, sizeof line, "%s: %c %u:%u access %u -> %u (want %u)", what, accesses[i][0] == C ? 'c' : 'b', accesses[i][2], accesses[i][3],
             accesses[i][1], got, accesses[i][4]);
    check(got == accesses[i][4], line);
  }
}

static void device_programs(void) {
  /* As a config gives them: deny all, then allow a few. */
  const struct oci_device_rule deny_then_allow[] = {{0, 'a', -1, -1, "rwm"}, {1, 'c', 1, 3, "rwm"}, {1, 'c', 10, -1, "rw"}};
  const unsigned a1[][5] = {{C, R, 1, 3, 1}, {C, R | W, 1, 3, 1}, {C, W, 1, 11, 0}, {B, R, 1, 3, 0}, {C, R, 10, 200, 1}, {C, M, 10, 200, 0}};
  device_program("deny all, then allows", deny_then_allow, 3, a1, sizeof a1 / sizeof a1[0]);
  /* v1 merges allows of one device: r, then w, opens it read-write. */
  const struct oci_device_rule merged[] = {{0, 'a', -1, -1, "rwm"}, {1, 'c', 1, 11, "r"}, {1, 'c', 1, 11, "w"}};
  const unsigned a2[][5] = {{C, R | W, 1, 11, 1}, {C, M, 1, 11, 0}};
  device_program("allows merged", merged, 3, a2, sizeof a2 / sizeof a2[0]);
  /* Allow all, deny writes of one: v1 refuses an access any exception touches. */
  const struct oci_device_rule allow_then_deny[] = {{1, 'a', -1, -1, "rwm"}, {0, 'c', 1, 5, "w"}};
  const unsigned a3[][5] = {{C, R, 1, 5, 1}, {C, W, 1, 5, 0}, {C, R | W, 1, 5, 0}, {B, W, 8, 0, 1}};
  device_program("allow all, then a deny", allow_then_deny, 2, a3, sizeof a3 / sizeof a3[0]);
  /* A later reset wins: deny all after allows. */
  const struct oci_device_rule reset[] = {{1, 'c', 1, 3, "rwm"}, {0, 'a', -1, -1, "rwm"}};
  const unsigned a4[][5] = {{C, R, 1, 3, 0}};
  device_program("a reset at the end", reset, 2, a4, sizeof a4 / sizeof a4[0]);
}

static void container_ids(void) {
  struct bd_error err;
  const char *good[] = {"abc", "a1b2c3d4e5f6", "my_box.2-x"};
  const char *bad[] = {"", ".hidden", "-flag", "a/b", "../x", "sp ace", "new\nline"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) check(check_container_id(good[i], &err) == 0, good[i]);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) check(check_container_id(bad[i], &err) < 0, "a bad id is refused");
  char long_id[202];
  memset(long_id, 'a', 201);
  long_id[201] = 0;
  check(check_container_id(long_id, &err) < 0, "an id of 201 characters is refused");
}

static void path_formatting(void) {
  struct bd_error err = {0};
  char out[16];
  check(bd_format(out, sizeof out, &err, "%s/%s", "abc", "def") == 0 && strcmp(out, "abc/def") == 0, "a path that fits is formatted");
  check(bd_format(out, sizeof out, &err, "%s/%s", "abcdefgh", "ijklmnop") < 0 && strstr(err.msg, "ENAMETOOLONG"),
        "a path that does not fit fails with ENAMETOOLONG, never cut");
}

/* Context goes before a failed call's message on its way up; a message that explains itself and its fix stays as it is. */
static void error_context(void) {
  struct bd_error err = {0};
  bd_fail(&err, EPERM, "mount %s", "/proc");
  bd_wrap(&err, "set up %s", "/proc");
  bd_wrap(&err, "enter the root filesystem %s", "/r");
  check(strcmp(err.msg, "enter the root filesystem /r: set up /proc: mount /proc: EPERM") == 0 && err.exit_code == BD_EXIT_RUNTIME,
        "a failed call's message gets the steps that led to it, innermost last");
  bd_fail(&err, 0, "/proc in the rootfs is a symlink (replace it with a directory)");
  bd_wrap(&err, "set up %s", "/proc");
  check(strcmp(err.msg, "/proc in the rootfs is a symlink (replace it with a directory)") == 0, "a message that says its fix is passed up as it is");
  char longer[BD_ERR_LEN];
  memset(longer, 'x', sizeof longer - 1);
  longer[sizeof longer - 1] = '\0';
  bd_fail(&err, ENOENT, "open %s", longer);
  bd_wrap(&err, "set up %s", "/dev");
  check(strncmp(err.msg, "set up /dev: open xxx", 21) == 0 && strlen(err.msg) == BD_ERR_LEN - 1, "a message too long keeps its start: the context");
}

/* The walks that resolve a path inside a root, against a tree of hostile
 * links. base/outside stands for the host; base/root for a layer's or a
 * rootfs's root, which holds:
 *   marker, file          regular files
 *   dir/                  a directory
 *   to_slash -> /         to_up -> ../..        to_abs -> BASE/outside
 *   loop -> loop          loop_a -> loop_b -> loop_a
 * A walk that followed a link out of the root would reach base/outside, the
 * host's / or base's parent: each check looks there for what must not be. */
struct walk_tree {
  char base[64], root[128], outside[128], up_name[64]; /* up_name: base's name, as seen from base's parent through to_up */
  char host_name[64];                                  /* a name no one else uses, for what a broken walk would make at / or in base's parent */
};

static void put_file(const char *dir, const char *name) {
  char path[PATH_MAX];
  struct bd_error err;
  if (bd_format(path, sizeof path, &err, "%s/%s", dir, name) == 0) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) close(fd);
  }
}

static int walk_tree_make(struct walk_tree *t) {
  struct bd_error err;
  strcpy(t->base, "/tmp/bd-unit-walk-XXXXXX");
  if (!mkdtemp(t->base)) return -1;
  snprintf(t->up_name, sizeof t->up_name, "%s", strrchr(t->base, '/') + 1);
  snprintf(t->host_name, sizeof t->host_name, "bd-unit-escaped-%d", (int)getpid());
  if (bd_format(t->root, sizeof t->root, &err, "%s/root", t->base) < 0 || bd_format(t->outside, sizeof t->outside, &err, "%s/outside", t->base) < 0 ||
      mkdir(t->root, 0755) < 0 || mkdir(t->outside, 0755) < 0)
    return -1;
  put_file(t->outside, "secret");
  put_file(t->root, "marker");
  put_file(t->root, "file");
  int root = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return -1;
  int rc = mkdirat(root, "dir", 0755) < 0 || symlinkat("/", root, "to_slash") < 0 || symlinkat("../..", root, "to_up") < 0 ||
                   symlinkat(t->outside, root, "to_abs") < 0 || symlinkat(t->outside, root, "to_abs_last") < 0 ||
                   symlinkat("loop", root, "loop") < 0 || symlinkat("loop_b", root, "loop_a") < 0 || symlinkat("loop_a", root, "loop_b") < 0
               ? -1
               : 0;
  close(root);
  return rc;
}

/* 1 when dir/name exists (not followed). */
static int exists_at(const char *dir, const char *name) {
  char path[PATH_MAX];
  struct stat st;
  struct bd_error err;
  return bd_format(path, sizeof path, &err, "%s/%s", dir, name) == 0 && lstat(path, &st) == 0;
}

/* Nothing made outside the root under `name`: not in base/outside, not at /,
 * not in base's parent (what to_up names from the root). A check that
 * finds one removes it again. */
static int nothing_escaped(const struct walk_tree *t, const char *name) {
  char parent[PATH_MAX], at_slash[PATH_MAX];
  struct bd_error err;
  snprintf(parent, sizeof parent, "%.*s", (int)(strrchr(t->base, '/') - t->base), t->base);
  int escaped = 0;
  const char *dirs[] = {t->outside, "", parent};
  for (size_t i = 0; i < 3; i++)
    if (exists_at(dirs[i], name)) {
      escaped = 1;
      if (bd_format(at_slash, sizeof at_slash, &err, "%s/%s", dirs[i], name) == 0 && unlink(at_slash) < 0) rmdir(at_slash);
    }
  return !escaped;
}

static void walk_tree_remove(const struct walk_tree *t) {
  char command[256];
  snprintf(command, sizeof command, "rm -rf -- '%s'", t->base);
  if (system(command) != 0) fprintf(stderr, "could not remove %s\n", t->base);
}

/* image_open_file: a layer's entry is made in its root, its directories
 * opened with O_NOFOLLOW from the root down, "." and ".." refused. */
static void image_walks(const struct walk_tree *t) {
  struct bd_error err = {0};
  char rel[PATH_MAX];
  const char *through[] = {"to_slash", "to_up", "to_abs"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(rel, sizeof rel, "%s/%s", through[i], t->host_name);
    int fd = image_open_file(t->root, rel, &err);
    if (fd >= 0) close(fd);
    char what[160];
    snprintf(what, sizeof what, "image: an entry through %s fails with ENOTDIR, made nowhere", through[i]);
    check(fd < 0 && strstr(err.msg, "ENOTDIR") && nothing_escaped(t, t->host_name), what);
  }
  int fd = image_open_file(t->root, "loop/x", &err);
  if (fd >= 0) close(fd);
  check(fd < 0 && strstr(err.msg, "ENOTDIR"), "image: an entry through a symlink loop fails with ENOTDIR (never followed)");
  fd = image_open_file(t->root, "file/x", &err);
  if (fd >= 0) close(fd);
  check(fd < 0 && strstr(err.msg, "ENOTDIR"), "image: an entry below a file fails with ENOTDIR");
  snprintf(rel, sizeof rel, "dir/../../outside/%s", t->host_name);
  fd = image_open_file(t->root, rel, &err);
  if (fd >= 0) close(fd);
  check(fd < 0 && strstr(err.msg, "EINVAL") && nothing_escaped(t, t->host_name), "image: a path with .. fails with EINVAL");
  /* The last component a symlink: the link is replaced, what it names is untouched. */
  struct stat st;
  char path[PATH_MAX];
  fd = image_open_file(t->root, "to_abs_last", &err);
  if (fd >= 0) close(fd);
  snprintf(path, sizeof path, "%s/to_abs_last", t->root);
  check(
      fd >= 0 && lstat(path, &st) == 0 && S_ISREG(st.st_mode) && exists_at(t->outside, "secret") && stat(t->outside, &st) == 0 && S_ISDIR(st.st_mode),
      "image: a file entry over a symlink replaces the link, not what it names");
  fd = image_open_file(t->root, "made/on/the/way", &err);
  if (fd >= 0) close(fd);
  snprintf(path, sizeof path, "%s/made/on/the/way", t->root);
  check(fd >= 0 && lstat(path, &st) == 0 && S_ISREG(st.st_mode), "image: an entry's missing parents are made inside the root");
}

/* A walk that must fail: fd is -1 and errno `expected` (an fd it opened after all is closed). */
static void check_refused(int fd, int expected, const char *what) {
  int e = errno;
  check(fd < 0 && e == expected, what);
  if (fd >= 0) close(fd);
}

/* The inode of what fd names, beside the one at dir/name: 1 when the same. */
static int same_file(int fd, const char *dir, const char *name) {
  struct stat a, b;
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return fd >= 0 && fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* volume_open_in_root and volume_open_target: links resolve as they would
 * with the root as /, so every one of them lands inside it. */
static void volume_walks(const struct walk_tree *t) {
  struct bd_error err = {0};
  char path[PATH_MAX];
  int root = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) {
    check(0, "volumes: open the test root");
    return;
  }
  const char *to_marker[] = {"to_slash/marker", "to_up/marker", "/../../marker", "dir/../../../marker", "to_slash/to_up/to_slash/marker"};
  for (size_t i = 0; i < sizeof to_marker / sizeof to_marker[0]; i++) {
    int fd = volume_open_in_root(root, to_marker[i], O_PATH);
    char what[160];
    snprintf(what, sizeof what, "volumes: %s opens the root's marker", to_marker[i]);
    check(same_file(fd, t->root, "marker"), what);
    if (fd >= 0) close(fd);
  }
  /* The host's files by their host paths: inside the root there are none. */
  snprintf(path, sizeof path, "to_up/%s/outside/secret", t->up_name);
  check_refused(volume_open_in_root(root, path, O_PATH), ENOENT, "volumes: ../.. then the host's path to a file finds nothing");
  check_refused(volume_open_in_root(root, "to_abs/secret", O_PATH), ENOENT, "volumes: an absolute link to a host directory finds nothing");
  check_refused(volume_open_in_root(root, "loop", O_PATH), ELOOP, "volumes: a link to itself fails with ELOOP");
  check_refused(volume_open_in_root(root, "loop_a/x", O_PATH), ELOOP, "volumes: two links to each other fail with ELOOP");
  check_refused(volume_open_in_root(root, "file/x", O_PATH), ENOTDIR, "volumes: a path below a file fails with ENOTDIR");

  /* Targets made on the way: inside the root whatever the links say. */
  snprintf(path, sizeof path, "/to_slash/%s", t->host_name);
  int fd = volume_open_target(root, path, 1, &err);
  check(fd >= 0 && same_file(fd, t->root, t->host_name) && nothing_escaped(t, t->host_name),
        "volumes: a target through a link to / is made in the root");
  if (fd >= 0) close(fd);
  snprintf(path, sizeof path, "/to_up/%s-up", t->host_name);
  fd = volume_open_target(root, path, 0, &err);
  char name[PATH_MAX];
  snprintf(name, sizeof name, "%s-up", t->host_name);
  struct stat st;
  check(fd >= 0 && same_file(fd, t->root, name) && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && nothing_escaped(t, name),
        "volumes: a file target through ../.. is made in the root");
  if (fd >= 0) close(fd);
  snprintf(path, sizeof path, "/to_up/%s/outside/%s", t->up_name, t->host_name);
  fd = volume_open_target(root, path, 1, &err);
  snprintf(name, sizeof name, "%s/outside/%s", t->up_name, t->host_name);
  check(fd >= 0 && same_file(fd, t->root, name) && nothing_escaped(t, t->host_name),
        "volumes: a target by the host's path through ../.. is made in the root, the host's directory untouched");
  if (fd >= 0) close(fd);
  snprintf(path, sizeof path, "/to_abs/%s", t->host_name);
  fd = volume_open_target(root, path, 1, &err);
  check(fd < 0 && strstr(err.msg, "symlink to nothing") && nothing_escaped(t, t->host_name),
        "volumes: a target through an absolute link to a host directory fails (a link to nothing in the root)");
  if (fd >= 0) close(fd);
  fd = volume_open_target(root, "/loop/x", 1, &err);
  check(fd < 0 && strstr(err.msg, "ELOOP"), "volumes: a target through a link loop fails with ELOOP");
  if (fd >= 0) close(fd);
  fd = volume_open_target(root, "/file/x", 1, &err);
  check(fd < 0 && strstr(err.msg, "ENOTDIR"), "volumes: a target below a file fails with ENOTDIR");
  if (fd >= 0) close(fd);
  fd = volume_open_target(root, "relative", 1, &err);
  check(fd < 0, "volumes: a relative target is refused");
  if (fd >= 0) close(fd);
  close(root);
}

static void path_walks(void) {
  struct walk_tree t;
  if (walk_tree_make(&t) < 0) {
    check(0, "build the tree of links for the path walks");
    return;
  }
  image_walks(&t);
  volume_walks(&t);
  walk_tree_remove(&t);
}

int main(void) {
  seccomp_program(0);
  seccomp_program(1);
  device_programs();
  container_ids();
  path_formatting();
  error_context();
  path_walks();
  return failures;
}
