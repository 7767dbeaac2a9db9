#define _GNU_SOURCE
#include "seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define X32_SYSCALL_BIT 0x40000000u
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp.c: add this architecture's AUDIT_ARCH"
#endif

#define DATA_NR offsetof(struct seccomp_data, nr)
#define DATA_ARCH offsetof(struct seccomp_data, arch)
/* The low 32 bits of an argument (little-endian). */
#define DATA_ARG_LO(n) offsetof(struct seccomp_data, args[n])

#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | ((e)&SECCOMP_RET_DATA))

/* Refused whatever the capabilities. */
static const int always_denied[] = {
    SYS_kexec_load,
    SYS_kexec_file_load,
    SYS_init_module,
    SYS_finit_module,
    SYS_delete_module,
    SYS_reboot,
    SYS_swapon,
    SYS_swapoff,
    SYS_acct,
    SYS_settimeofday,
    SYS_clock_settime,
    SYS_clock_adjtime,
    SYS_keyctl,
    SYS_add_key,
    SYS_request_key,
    SYS_open_by_handle_at,
    SYS_userfaultfd,
    SYS_vhangup,
    SYS_io_uring_setup,
    SYS_io_uring_enter,
    SYS_io_uring_register,
#ifdef SYS_iopl
    SYS_iopl,
    SYS_ioperm,
#endif
#ifdef SYS_uselib
    SYS_uselib,
#endif
#ifdef SYS_lookup_dcookie
    SYS_lookup_dcookie,
#endif
};

/* Refused unless the container keeps CAP_SYS_ADMIN (as Docker's profile does). */
static const int admin_only[] = {
    SYS_mount,         SYS_umount2,           SYS_unshare,  SYS_setns,      SYS_pivot_root,  SYS_bpf,           SYS_perf_event_open,
    SYS_fanotify_init, SYS_name_to_handle_at, SYS_quotactl, SYS_syslog,     SYS_sethostname, SYS_setdomainname, SYS_fsopen,
    SYS_fsconfig,      SYS_fsmount,           SYS_fspick,   SYS_move_mount, SYS_open_tree,   SYS_mount_setattr,
};

#define NAMESPACE_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

struct filter {
  struct sock_filter *insns;
  unsigned short len;
};

static void emit(struct filter *f, struct sock_filter insn) {
  if (f->len < SECCOMP_MAX_FILTER) f->insns[f->len] = insn;
  f->len++;
}

/* if (nr == syscall) return action; */
static void deny(struct filter *f, int syscall, unsigned action) {
  emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)syscall, 0, 1));
  emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action));
}

int seccomp_build(int allow_admin, struct sock_filter out[SECCOMP_MAX_FILTER], struct bd_error *err) {
  struct filter f = {.insns = out, .len = 0};
  /* Another architecture's syscall numbers mean other calls: refuse them all. */
  emit(&f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_ARCH));
  emit(&f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0));
  emit(&f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, RET_ERRNO(ENOSYS)));
  emit(&f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_NR));
#ifdef X32_SYSCALL_BIT
  emit(&f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, 0, 1));
  emit(&f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, RET_ERRNO(ENOSYS)));
#endif
  for (size_t i = 0; i < sizeof always_denied / sizeof always_denied[0]; i++) deny(&f, always_denied[i], RET_ERRNO(EPERM));
  if (!allow_admin)
    for (size_t i = 0; i < sizeof admin_only / sizeof admin_only[0]; i++) deny(&f, admin_only[i], RET_ERRNO(EPERM));
  /* clone3 passes its flags in memory the filter cannot read: ENOSYS makes
   * the C library fall back to clone, whose flags it can. */
  deny(&f, SYS_clone3, RET_ERRNO(ENOSYS));
  /* socket(AF_VSOCK, ...): vsock has no network namespace, so a container
   * could take ports of the host's (Docker's profile refuses it too). Ends
   * in a return either way, as the checks below, which read arguments. */
  emit(&f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 4));
  emit(&f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_ARG_LO(0)));
  emit(&f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_VSOCK, 0, 1));
  emit(&f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, RET_ERRNO(EPERM)));
  emit(&f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  /* ioctl(fd, TIOCSTI, ...): the last check that reads the number, it ends
   * in a return either way. */
  emit(&f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 3));
  emit(&f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_ARG_LO(1)));
  emit(&f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 0, allow_admin ? 1 : 5));
  emit(&f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, RET_ERRNO(EPERM)));
  if (!allow_admin) {
    /* clone with a namespace flag is unshare in disguise. */
    emit(&f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3));
    emit(&f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_ARG_LO(0)));
    emit(&f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NAMESPACE_FLAGS, 0, 1));
    emit(&f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, RET_ERRNO(EPERM)));
  }
  emit(&f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  if (f.len > SECCOMP_MAX_FILTER) return bd_fail(err, 0, "seccomp filter: %u instructions, room for %d", f.len, SECCOMP_MAX_FILTER);
  return f.len;
}

int seccomp_install(int allow_admin, struct bd_error *err) {
  struct sock_filter insns[SECCOMP_MAX_FILTER];
  int len = seccomp_build(allow_admin, insns, err);
  if (len < 0) return -1;
  struct sock_fprog prog = {.len = (unsigned short)len, .filter = insns};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) return bd_fail(err, errno, "seccomp filter");
  return 0;
}
