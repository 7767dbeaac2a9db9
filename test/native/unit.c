/* Unit tests of the native core's pure parts, built and run by
 * test/native-unit.test.ts: the seccomp program (run here by a small
 * classic-BPF interpreter against calls of our own, its jumps checked to
 * land inside it), the container-id check and checked path formatting.
 * One line a check, "ok" or "not ok"; the exit status is the failures. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "seccomp.h"
#include "utils.h"

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
  struct bd_error err = {0, ""};
  char out[16];
  check(bd_format(out, sizeof out, &err, "%s/%s", "abc", "def") == 0 && strcmp(out, "abc/def") == 0, "a path that fits is formatted");
  check(bd_format(out, sizeof out, &err, "%s/%s", "abcdefgh", "ijklmnop") < 0 && strstr(err.msg, "ENAMETOOLONG"),
        "a path that does not fit fails with ENAMETOOLONG, never cut");
}

int main(void) {
  seccomp_program(0);
  seccomp_program(1);
  container_ids();
  path_formatting();
  return failures;
}
