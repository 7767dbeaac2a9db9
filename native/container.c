#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "console.h"
#include "init.h"
#include "layer.h"
#include "linux.h"
#include "seccomp.h"
#include "terminal.h"
#include "user.h"

extern char **environ;

struct sync_msg {
  char kind;
  struct bd_error err;
};

int sync_send(int fd, char kind, const struct bd_error *payload) {
  struct sync_msg m;
  memset(&m, 0, sizeof m);
  m.kind = kind;
  if (payload) m.err = *payload;
  ssize_t n;
  do n = send(fd, &m, sizeof m, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t)sizeof m ? 0 : -1;
}

int sync_recv(int fd, struct bd_error *err) {
  struct sync_msg m;
  ssize_t n;
  do n = recv(fd, &m, sizeof m, 0);
  while (n < 0 && errno == EINTR);
  if (n == 0) return 0;
  if (n != (ssize_t)sizeof m) return bd_fail(err, n < 0 ? errno : EPROTO, "read sync channel");
  if (m.kind == SYNC_ERROR) {
    *err = m.err;
    err->msg[sizeof err->msg - 1] = '\0';
  }
  return m.kind;
}

int exit_code_of(int wstatus) {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return BD_EXIT_RUNTIME;
}

void exec_command(const struct container_config *c, int sync_fd) {
  struct bd_error err;
  sigset_t none;
  sigemptyset(&none);
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
  sigprocmask(SIG_SETMASK, &none, NULL);
  environ = c->envp; /* execvp searches the container's PATH */
  execvp(c->argv[0], c->argv);
  int e = errno;
  if (e == ENOENT) {
    bd_fail(&err, 0,
            "command not found in the rootfs: %s (check the path, or that its "
            "interpreter or libraries are in the rootfs)",
            c->argv[0]);
    err.exit_code = BD_EXIT_NOT_FOUND;
  } else {
    bd_fail(&err, e, "command not executable: %s", c->argv[0]);
    err.exit_code = BD_EXIT_NOT_EXECUTABLE;
  }
  if (sync_fd >= 0) sync_send(sync_fd, SYNC_ERROR, &err);
  else fprintf(stderr, "baby-docker: %s\n", err.msg);
  _exit(err.exit_code);
}

/* Capabilities and seccomp, when the container has them: the last step before exec. */
static int restrict_privileges(const struct container_config *c, struct bd_error *err) {
  if (c->hardened && caps_restrict(c->caps, err) < 0) return -1;
  /* Between the two: setuid needs CAP_SETUID (a non-root user loses the
   * rest with it, as in Docker), and the filter is no business of the user's. */
  if (c->user && become_user(c->user, err) < 0) return -1;
  if (!c->hardened) return 0;
  return seccomp_install((c->caps & CAP_BIT(CAP_SYS_ADMIN)) != 0, err);
}

static int wait_for_go(int sync_fd, struct bd_error *err) {
  int kind = sync_recv(sync_fd, err);
  if (kind == SYNC_GO) return 0;
  return bd_fail(err, 0, "the runtime went away during setup");
}

/* The namespaces exec joins: all of the container's, in one setns by pidfd. */
#define EXEC_NAMESPACES (CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWPID | CLONE_NEWNS)

/* The exec'd command's own set-up, in the container: the last steps before exec. */
static int exec_child_setup(const struct container_config *c, int console, struct bd_error *err) {
  /* Killed with the shim, which is what a kill of the exec signals. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) return bd_fail(err, errno, "prctl PR_SET_PDEATHSIG");
  for (int fd = 0; console >= 0 && fd < 3; fd++)
    if (dup2(console, fd) < 0) return bd_fail(err, errno, "dup2 the console");
  /* A session of its own: never one whose terminal is the host's. With a
   * console, it leads the console's session, with job control on it. */
  if (setsid() < 0) return bd_fail(err, errno, "setsid");
  if (console >= 0 && take_controlling_terminal(0, err) < 0) return -1;
  if (cloexec_from(3, err) < 0) return -1;
  return restrict_privileges(c, err) < 0 ? bd_wrap(err, "drop privileges") : 0;
}

/* The PID comes from the state directory and may have been reused since:
 * the pidfd pins whatever process has it now, the cgroup listing it proves
 * that one is the container's, and the pidfd still alive after that proves
 * it did not die and make way for another in between. */
static int open_container(pid_t target, const struct cgroup *cg, const char *id, struct bd_error *err) {
  int pidfd = (int)syscall(SYS_pidfd_open, target, 0);
  if (pidfd < 0) return errno == ESRCH ? bd_fail(err, 0, "container %s has exited", id) : bd_fail(err, errno, "pidfd_open %d", (int)target);
  int listed = cgroup_has_process(cg->pids, target, err);
  if (listed < 0 && !path_exists(cg->pids)) listed = 0; /* its cgroup went with it */
  if (listed > 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
    listed = errno == ESRCH ? 0 : bd_fail(err, errno, "pidfd_send_signal %d", (int)target);
  if (listed > 0) return pidfd;
  close(pidfd);
  return listed == 0 ? bd_fail(err, 0, "container %s has exited", id) : -1;
}

pid_t container_exec(pid_t target, const struct cgroup *cg, const struct container_config *c, int *sync_fd, int *console, struct bd_error *err) {
  int pair[2] = {-1, -1}, procs[2] = {-1, -1}, slave = -1;
  pid_t child = -1;
  int pidfd = open_container(target, cg, c->id, err);
  if (pidfd < 0) return -1;
  /* Opened on the host's side: the command goes in, we stay out (not
   * counted against its limits, nor killed when the container's cgroup is). */
  if (cgroup_open_procs(cg, procs, err) < 0) goto out;
  /* The PID namespace applies to our children: the command is forked below. */
  if (setns(pidfd, EXEC_NAMESPACES) < 0) {
    bd_fail(err, errno, "setns into the namespaces of %d", (int)target);
    goto out;
  }
  if (chdir("/") < 0) {
    bd_fail(err, errno, "chdir / in the container");
    goto out;
  }
  if (c->tty && (*console = console_open(&slave, &c->console_size, err)) < 0) goto out;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
    bd_fail(err, errno, "socketpair");
    goto out;
  }
  child = fork();
  if (child < 0) {
    bd_fail(err, errno, "fork into the container");
    goto out;
  }
  if (child == 0) {
    struct bd_error child_err;
    close(pair[0]);
    if (wait_for_go(pair[1], &child_err) < 0 || exec_child_setup(c, slave, &child_err) < 0) {
      sync_send(pair[1], SYNC_ERROR, &child_err);
      _exit(child_err.exit_code);
    }
    exec_command(c, pair[1]);
  }
  if (cgroup_join_procs(procs, child, err) < 0 || (sync_send(pair[0], SYNC_GO, NULL) < 0 && bd_fail(err, errno, "write sync channel"))) {
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    child = -1;
    goto out;
  }
  *sync_fd = pair[0];
  pair[0] = -1;
out:
  for (int i = 0; i < 2; i++)
    if (pair[i] >= 0) close(pair[i]);
  cgroup_close_procs(procs);
  close(pidfd);
  if (slave >= 0) close(slave); /* the command's alone: the console ends when it and its children are done */
  if (child < 0 && c->tty && *console >= 0) {
    close(*console);
    *console = -1;
  }
  return child;
}

/* -t: the container's terminal is a pty of its own devpts (`tty` inside
 * names /dev/pts/0, as runc's console socket gives it): its slave becomes
 * the process's stdio and controlling terminal, and its master goes to the
 * shim, which relays it or hands it over (see shim.c). */
static int attach_console(int console, int slave, int sync_fd, struct bd_error *err) {
  if (send_fd(sync_fd, console, err) < 0) return -1;
  close(console);
  for (int fd = 0; fd < 3; fd++)
    if (dup2(slave, fd) < 0) return bd_fail(err, errno, "dup2 the console");
  close(slave);
  return take_controlling_terminal(0, err);
}

static int set_up(const struct container_config *c, int sync_fd, struct bd_error *err) {
  int console = -1, slave = -1;
  if (setsid() < 0) return bd_fail(err, errno, "setsid");
  if (make_mounts_private(err) < 0) return -1;
  if (c->layer_dev && layer_mount(c->layer_dev, c->nlowers ? c->lowers : &c->rootfs, c->nlowers ? c->nlowers : 1, c->layer_dir, c->root_dir, err) < 0)
    return bd_wrap(err, "mount the run's layer over %s", c->rootfs);
  if (enter_rootfs(c->layer_dev ? c->root_dir : c->rootfs, c->hardened, c->volumes, c->nvolumes, err) < 0)
    return bd_wrap(err, "enter the root filesystem %s", c->rootfs);
  if (set_hostname(c->hostname, err) < 0 || (!c->host_network && bring_up_loopback(err) < 0) || cloexec_from(3, err) < 0) return -1;
  if (c->tty && (console = console_open(&slave, &c->console_size, err)) < 0) return bd_wrap(err, "open the container's terminal");
  /* Meanwhile the parent puts us in our cgroup (on v1 that waits for an RCU
   * grace period, so the setup above runs alongside). Nothing has forked. */
  if (wait_for_go(sync_fd, err) < 0) return -1;
  /* Entered only now, so that the container's cgroup is its cgroup root. */
  if (unshare(CLONE_NEWCGROUP) < 0) return bd_fail(err, errno, "unshare cgroup namespace");
  if (mount_cgroup_view(c->cgroup_version, c->cgroup_memory, err) < 0) return bd_wrap(err, "set up /sys/fs/cgroup");
  if (sync_send(sync_fd, SYNC_READY, NULL) < 0) return bd_fail(err, errno, "write sync channel");
  if (c->tty && attach_console(console, slave, sync_fd, err) < 0) return -1;
  if (wait_for_go(sync_fd, err) < 0) return -1;
  /* A working directory left outside the root would be a way out (CVE-2024-21626). */
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd) || strcmp(cwd, "/") != 0) return bd_fail(err, errno, "working directory is not the container's /");
  if (c->workdir && enter_workdir(c->workdir, err) < 0) return -1;
  if (c->read_only && make_root_read_only(err) < 0) return -1;
  /* Last, so that everything above could still use what is taken away here. */
  return restrict_privileges(c, err) < 0 ? bd_wrap(err, "drop privileges") : 0;
}

static void __attribute__((noreturn)) container_main(const struct container_config *c, int sync_fd) {
  struct bd_error err;
  /* Killed with its parent; not ptrace-able or dumpable while it holds host state: a promise, so checked. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0) {
    bd_fail(&err, errno, "prctl: parent-death signal, not dumpable");
    sync_send(sync_fd, SYNC_ERROR, &err);
    _exit(err.exit_code);
  }
  for (int fd = 0; fd < 3; fd++)
    if (c->stdio[fd] >= 0 && dup2(c->stdio[fd], fd) < 0) {
      bd_fail(&err, errno, "dup2 the container's stdio");
      sync_send(sync_fd, SYNC_ERROR, &err);
      _exit(err.exit_code);
    }
  if (set_up(c, sync_fd, &err) < 0) {
    sync_send(sync_fd, SYNC_ERROR, &err);
    _exit(err.exit_code);
  }
  if (c->use_init) run_init(c, sync_fd);
  exec_command(c, sync_fd);
}

/* The kernel's struct clone_args, up to the cgroup field (Linux 5.7). */
struct clone3_args {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* Fork-like (no new stack): the child goes on from here. With a cgroup v2
 * directory fd, the child is born in that cgroup; otherwise, or on a kernel
 * without clone3, it starts where we are and *in_cgroup says so. */
static pid_t clone_child(uint64_t flags, int cgroup_fd, int *in_cgroup) {
  if (cgroup_fd >= 0) {
    struct clone3_args args;
    memset(&args, 0, sizeof args);
    args.flags = flags | CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD; /* with CLONE_PARENT, the caller's own is used */
    args.cgroup = (uint64_t)cgroup_fd;
    pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
    *in_cgroup = pid >= 0;
    if (pid >= 0) return pid;
  }
  *in_cgroup = 0;
  return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* The holder: init of the PID namespace the container's own is nested in.
 * It does nothing but wait for the shim to end, then exits; and when a
 * namespace's init exits, the kernel kills every process in it. So the
 * container cannot outlive its shim, however the shim ends (SIGKILL too),
 * and nothing inside can change that: the holder is invisible from the
 * container's namespace. The container's own parent-death signal is no such
 * guarantee: prctl, a setuid exec or a change of uid clears it.
 *
 * It runs in our memory (CLONE_VM: no copy of our page tables to make, and
 * none of our pages to copy on our next writes), on a stack of its own, and
 * makes plain system calls only. Signals are blocked (see main): only
 * SIGKILL ends it early. */
static int holder_main(void *shim_pidfd) {
  int shim = (int)(intptr_t)shim_pidfd;
  /* Dies the moment the shim does; the pidfd covers a shim gone before this
   * prctl (and some kernels report a pidfd only once its process is reaped). */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) _exit(1);
  /* Nothing of the shim's stays open here: not its stdio, not its status
   * channel. close_range is Linux 5.9; a run's mounts need 5.12. */
  if (dup2(shim, 0) < 0 || syscall(SYS_close_range, 1U, ~0U, 0U) < 0) _exit(1);
  struct pollfd ended = {.fd = 0, .events = POLLIN};
  while (poll(&ended, 1, -1) < 0) {}
  _exit(0);
}

#define HOLDER_STACK (64 * 1024)

static pid_t start_holder(struct bd_error *err) {
  int shim = (int)syscall(SYS_pidfd_open, getpid(), 0);
  if (shim < 0) return bd_fail(err, errno, "pidfd_open of the shim");
  /* Never unmapped: the holder lives on it until it dies, with us at the latest. */
  char *stack = mmap(NULL, HOLDER_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    close(shim);
    return bd_fail(err, errno, "mmap a stack for the pid namespace's holder");
  }
  /* The next child is the new namespace's init; later ones are born in it. */
  pid_t pid = -1;
  if (unshare(CLONE_NEWPID) < 0) bd_fail(err, errno, "unshare pid namespace");
  else if ((pid = clone(holder_main, stack + HOLDER_STACK, CLONE_VM | SIGCHLD, (void *)(intptr_t)shim)) < 0)
    bd_fail(err, errno, "start the pid namespace's holder");
  close(shim);
  if (pid < 0) munmap(stack, HOLDER_STACK);
  return pid;
}

/* What the process that clones the container reports: the container's PID
 * as the sender's namespace numbers it, which the kernel translates into
 * ours in the credentials it passes with SO_PASSCRED. */
struct clone_report {
  int errnum;
  int in_cgroup;
};

static int send_clone_report(int fd, pid_t pid, int errnum, int in_cgroup) {
  struct clone_report report = {errnum, in_cgroup};
  struct ucred cred = {pid > 0 ? pid : getpid(), getuid(), getgid()};
  char control[CMSG_SPACE(sizeof cred)];
  struct iovec iov = {&report, sizeof report};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_CREDENTIALS;
  cmsg->cmsg_len = CMSG_LEN(sizeof cred);
  memcpy(CMSG_DATA(cmsg), &cred, sizeof cred);
  return sendmsg(fd, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof report ? 0 : -1;
}

static pid_t receive_clone_report(int fd, int *in_cgroup, struct bd_error *err) {
  struct clone_report report;
  char control[CMSG_SPACE(sizeof(struct ucred))];
  struct iovec iov = {&report, sizeof report};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  ssize_t n;
  do n = recvmsg(fd, &msg, 0);
  while (n < 0 && errno == EINTR);
  struct cmsghdr *cmsg = n == (ssize_t)sizeof report ? CMSG_FIRSTHDR(&msg) : NULL;
  if (!cmsg || cmsg->cmsg_type != SCM_CREDENTIALS) return bd_fail(err, n < 0 ? errno : 0, "read the container's PID");
  if (report.errnum) return bd_fail(err, report.errnum, "clone");
  struct ucred cred;
  memcpy(&cred, CMSG_DATA(cmsg), sizeof cred);
  *in_cgroup = report.in_cgroup;
  return cred.pid;
}

/* What the cloner needs; it runs in our memory (CLONE_VM) while we wait. */
struct cloner_args {
  const struct container_config *c;
  int cgroup_fd, sync_fd, report_fd;
};

/* Born in the holder's namespace, it clones the container as our child
 * (CLONE_PARENT) into a namespace nested in the holder's: a process can only
 * make a PID namespace under the one it lives in. */
static int cloner_main(void *arg) {
  struct cloner_args *a = arg;
  int in = 0;
  uint64_t flags = CONTAINER_CLONE_FLAGS & ~(uint64_t)(a->c->host_network ? CLONE_NEWNET : 0);
  pid_t child = clone_child(flags | CLONE_PARENT, a->cgroup_fd, &in);
  if (child == 0) {
    close(a->report_fd);
    container_main(a->c, a->sync_fd);
  }
  _exit(send_clone_report(a->report_fd, child, child < 0 ? errno : 0, in) < 0);
}

/* The cloner's stack, which the container's first process goes on using in
 * its own copy of our memory for all of its setup. */
#define CLONER_STACK (1024 * 1024)

pid_t container_clone(const struct container_config *c, int cgroup_fd, int *in_cgroup, int *sync_fd, pid_t *holder, struct bd_error *err) {
  int pair[2] = {-1, -1}, report[2] = {-1, -1}, on = 1;
  pid_t pid = -1;
  char *stack = MAP_FAILED;
  if ((*holder = start_holder(err)) < 0) return -1;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, report) < 0 ||
      setsockopt(report[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on) < 0) {
    bd_fail(err, errno, "socketpair");
    goto out;
  }
  stack = mmap(NULL, CLONER_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    bd_fail(err, errno, "mmap a stack");
    goto out;
  }
  /* CLONE_VM | CLONE_VFORK, as posix_spawn does: no copy of our memory for
   * a process that only clones once; we sleep until it has exited. */
  struct cloner_args args = {c, cgroup_fd, pair[1], report[1]};
  pid_t cloner = clone(cloner_main, stack + CLONER_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  if (cloner < 0) {
    bd_fail(err, errno, "clone");
    goto out;
  }
  close(report[1]);
  report[1] = -1;
  pid = receive_clone_report(report[0], in_cgroup, err);
  waitpid(cloner, NULL, 0);
  if (pid < 0) goto out;
  close(pair[1]);
  pair[1] = -1;
  *sync_fd = pair[0];
  pair[0] = -1;
out:
  if (stack != MAP_FAILED) munmap(stack, CLONER_STACK);
  for (int i = 0; i < 2; i++) {
    if (pair[i] >= 0) close(pair[i]);
    if (report[i] >= 0) close(report[i]);
  }
  if (pid < 0) {
    kill(*holder, SIGKILL);
    waitpid(*holder, NULL, 0);
    *holder = -1;
  }
  return pid;
}
