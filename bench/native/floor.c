/* bd-bench-floor: the least a container start has to do, for the bench to
 * measure ours against: a memory cgroup (its own, with a limit), clone into
 * new PID, mount, network, UTS and IPC namespaces, / private, the rootfs
 * bound onto itself, pivot_root, a fresh /proc, exec /bin/true; then wait,
 * and remove the cgroup. The child goes on once it is in its cgroup, as
 * ours does. No hardening, no state, no status channel.
 *
 *   bd-bench-floor ROOTFS
 *
 * On cgroup v2 the child is born in the cgroup (clone3 CLONE_INTO_CGROUP),
 * made under the root; on v1 and hybrid it is moved into one under the
 * memory hierarchy's root. Any failed step exits 1, naming it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CGROUP2_SUPER_MAGIC 0x63677270

static void check(int ok, const char *what) {
  if (ok) return;
  fprintf(stderr, "bd-bench-floor: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void write_to(const char *dir, const char *file, const char *value) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  check(fd >= 0 && write(fd, value, strlen(value)) == (ssize_t)strlen(value), path);
  close(fd);
}

static int child(const char *rootfs, int go) {
  char byte;
  check(read(go, &byte, 1) == 1, "wait to be in the cgroup");
  check(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "make / private");
  check(mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) == 0, "bind rootfs");
  check(chdir(rootfs) == 0, "chdir rootfs");
  check(syscall(SYS_pivot_root, ".", ".") == 0, "pivot_root");
  check(umount2(".", MNT_DETACH) == 0, "detach old root");
  check(chdir("/") == 0, "chdir /");
  check(mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0, "mount /proc");
  execl("/bin/true", "true", (char *)NULL);
  check(0, "exec /bin/true");
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: bd-bench-floor ROOTFS\n");
    return 2;
  }
  struct statfs fs;
  int v2 = statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
  char cgroup[256];
  snprintf(cgroup, sizeof cgroup, "/sys/fs/cgroup%s/bd-bench-floor-%d", v2 ? "" : "/memory", (int)getpid());
  if (v2) write_to("/sys/fs/cgroup", "cgroup.subtree_control", "+memory");
  check(mkdir(cgroup, 0755) == 0, cgroup);
  write_to(cgroup, v2 ? "memory.max" : "memory.limit_in_bytes", "104857600");
  uint64_t flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC;
  int cgroup_fd = v2 ? open(cgroup, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  struct clone_args args = {.flags = flags | (v2 ? CLONE_INTO_CGROUP : 0), .exit_signal = SIGCHLD, .cgroup = (uint64_t)cgroup_fd};
  int go[2];
  check(pipe2(go, O_CLOEXEC) == 0, "pipe");
  pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
  check(pid >= 0, "clone3");
  if (pid == 0) return child(argv[1], go[0]);
  if (!v2) {
    char value[32];
    snprintf(value, sizeof value, "%d", (int)pid);
    write_to(cgroup, "cgroup.procs", value);
  }
  check(write(go[1], "g", 1) == 1, "let the child go");
  int status;
  check(waitpid(pid, &status, 0) == pid, "waitpid");
  check(rmdir(cgroup) == 0, "rmdir cgroup");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
