/* bd-probe: tries one escape or abuse from inside a container and prints
 * what happened, "<attempt>: <outcome>", where the outcome is "ok" when the
 * kernel let it through, else the error's name (EPERM, EROFS...), or a word
 * the attempt explains. Linked statically, so any rootfs can run it: the
 * default rootfs has it as /usr/local/bin/bd-probe (the labs use it), and
 * the escape tests (test/escape.test.ts) assert its outcomes.
 *
 *   bd-probe ATTEMPT[=ARG]...   (attempts: see the table at the end) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *outcome(long rc) { return rc < 0 ? strerrorname_np(errno) : "ok"; }

static const char *try_mount(const char *arg) {
  (void)arg;
  mkdir("/tmp/probe-mnt", 0755);
  return outcome(mount("probe", "/tmp/probe-mnt", "tmpfs", 0, NULL));
}

static const char *try_umount(const char *arg) {
  (void)arg;
  return outcome(umount2("/proc", MNT_DETACH));
}
static const char *try_unshare(const char *arg) {
  (void)arg;
  return outcome(unshare(CLONE_NEWNS));
}

/* clone with a namespace flag: unshare by another name. */
static const char *try_clone_namespace(const char *arg) {
  (void)arg;
  long pid = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid((pid_t)pid, NULL, 0);
  return outcome(pid);
}

static const char *try_setns(const char *arg) {
  (void)arg;
  int fd = open("/proc/1/ns/mnt", O_RDONLY);
  if (fd < 0) return outcome(-1);
  return outcome(setns(fd, 0));
}

static const char *try_keyctl(const char *arg) {
  (void)arg;
  return outcome(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}

static const char *try_add_key(const char *arg) {
  (void)arg;
  return outcome(syscall(SYS_add_key, "user", "probe", "secret", 6, KEY_SPEC_PROCESS_KEYRING));
}

static const char *try_bpf(const char *arg) {
  (void)arg;
  return outcome(syscall(SYS_bpf, 0, NULL, 0));
}

static const char *try_perf_event_open(const char *arg) {
  (void)arg;
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  return outcome(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
}

static const char *try_open_by_handle_at(const char *arg) {
  (void)arg;
  char buf[sizeof(struct file_handle) + 8];
  struct file_handle *handle = (struct file_handle *)buf;
  memset(buf, 0, sizeof buf);
  handle->handle_bytes = 8;
  return outcome(syscall(SYS_open_by_handle_at, AT_FDCWD, handle, O_RDONLY));
}

static const char *try_kexec_load(const char *arg) {
  (void)arg;
  return outcome(syscall(SYS_kexec_load, 0, 0, NULL, 0));
}

/* A block device node for the host's first disk, then a read of it. */
static const char *try_mknod_disk(const char *arg) {
  (void)arg;
  if (mknod("/tmp/probe-disk", S_IFBLK | 0600, makedev(8, 0)) < 0) return outcome(-1);
  int fd = open("/tmp/probe-disk", O_RDONLY);
  char byte;
  const char *result = fd < 0 ? outcome(-1) : outcome(read(fd, &byte, 1));
  unlink("/tmp/probe-disk");
  return result;
}

/* Type a character into a terminal: a fresh pty of our own. */
static const char *try_tiocsti(const char *arg) {
  (void)arg;
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) return outcome(-1);
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  if (slave < 0) return outcome(-1);
  char c = 'x';
  return outcome(ioctl(slave, TIOCSTI, &c));
}

static const char *try_write(const char *path) {
  int fd = open(path, O_WRONLY);
  if (fd < 0) return outcome(-1);
  return outcome(write(fd, "0", 1));
}

static const char *try_mkdir(const char *path) {
  int rc = mkdir(path, 0755);
  if (rc == 0) rmdir(path);
  return outcome(rc);
}

/* "empty" when a masked file reads as nothing. */
static const char *try_read(const char *path) {
  char buf[256];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return outcome(-1);
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  return n < 0 ? outcome(-1) : n == 0 ? "empty" : "data";
}

/* CVE-2022-0492: a cgroup v1 hierarchy of our own, to write release_agent in. */
static const char *try_cgroup_mount(const char *arg) {
  (void)arg;
  mkdir("/tmp/probe-cgroup", 0755);
  return outcome(mount("cgroup", "/tmp/probe-cgroup", "cgroup", 0, "memory"));
}

/* The classic chroot breakout: chroot into a subdirectory, keep a directory
 * open outside it, climb with chdir(".."), chroot("."). "escaped" when the
 * host file `arg` (which the rootfs does not have) can be seen afterwards. */
static const char *try_chroot_breakout(const char *arg) {
  mkdir("/tmp/probe-jail", 0755);
  int outside = open("/", O_RDONLY | O_DIRECTORY);
  if (outside < 0 || chroot("/tmp/probe-jail") < 0) return outcome(-1);
  if (fchdir(outside) < 0) return outcome(-1);
  for (int i = 0; i < 64; i++)
    if (chdir("..") < 0) return outcome(-1);
  if (chroot(".") < 0) return outcome(-1);
  const char *result = access(arg, F_OK) == 0 ? "escaped" : "contained";
  rmdir("/tmp/probe-jail"); /* from wherever the climb ended: the container's / when contained */
  return result;
}

/* CVE-2019-5736: the runtime's own binary, reached through /proc/1/exe (an init's). */
static const char *try_write_init_exe(const char *arg) {
  (void)arg;
  int fd = open("/proc/1/exe", O_WRONLY);
  if (fd < 0) return outcome(-1);
  return outcome(write(fd, "", 0));
}

/* catch-exe=MS: for up to MS milliseconds, look for another process whose
 * executable can be opened through /proc/PID/exe, as an attacker waiting for
 * the runtime to enter would (CVE-2019-5736), to write it once the runtime
 * has exited. The outcome is "DEV:INO sealed" (or "unsealed"): the file
 * caught, and whether it is a memfd sealed against writes; "none" when
 * nothing was caught. */
static const char *try_catch_exe(const char *arg) {
  static char result[96];
  struct stat self, st;
  if (stat("/proc/self/exe", &self) < 0) return outcome(-1);
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  long limit_ms = atol(arg);
  do {
    DIR *proc = opendir("/proc");
    if (!proc) return outcome(-1);
    for (struct dirent *e; (e = readdir(proc));) {
      char path[64];
      if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
      if ((size_t)snprintf(path, sizeof path, "/proc/%s/exe", e->d_name) >= sizeof path) continue; /* no PID is that long */
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      if (fstat(fd, &st) < 0 || (st.st_dev == self.st_dev && st.st_ino == self.st_ino)) {
        close(fd);
        continue;
      }
      closedir(proc);
      int seals = fcntl(fd, F_GET_SEALS);
      int sealed = seals >= 0 && (seals & F_SEAL_WRITE) && (seals & F_SEAL_SEAL);
      snprintf(result, sizeof result, "%lu:%lu %s", (unsigned long)st.st_dev, (unsigned long)st.st_ino, sealed ? "sealed" : "unsealed");
      return result;
    }
    closedir(proc);
    clock_gettime(CLOCK_MONOTONIC, &now);
  } while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < limit_ms);
  return "none";
}

/* Clear the parent-death signal the runtime set, to outlive a killed runtime. */
static const char *try_clear_pdeathsig(const char *arg) {
  (void)arg;
  return outcome(prctl(PR_SET_PDEATHSIG, 0));
}

/* Wait here until killed. */
static const char __attribute__((noreturn)) * try_pause(const char *arg) {
  (void)arg;
  for (;;) pause();
}

/* Jam the terminal on fd 0, then exit at once (the probe's own output would
 * only block or vanish): "tcooff" stops its output (with IXON off, nothing
 * typed restarts it), "ldisc-null" swaps in the N_NULL line discipline,
 * which discards everything written. A runtime that reports on the terminal
 * hangs or loses the container's exit. */
static const char __attribute__((noreturn)) * try_jam_terminal(const char *arg) {
  struct termios t;
  if (strcmp(arg, "tcooff") == 0) {
    if (tcgetattr(0, &t) == 0) {
      t.c_iflag &= ~(tcflag_t)IXON;
      tcsetattr(0, TCSANOW, &t);
    }
    _exit(tcflow(0, TCOOFF) < 0 ? 1 : 0);
  }
  int null_discipline = 27; /* N_NULL */
  _exit(ioctl(0, TIOCSETD, &null_discipline) < 0 ? 1 : 0);
}

/* A TCP connection to 127.0.0.1:arg. */
static const char *try_connect(const char *arg) {
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  if (sock < 0) return outcome(-1);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(arg))};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return outcome(connect(sock, (struct sockaddr *)&addr, sizeof addr));
}

/* udp-echo=PORT: one datagram received on PORT and sent back; the outcome
 * names its sender ("4 bytes from 10.88.0.1"). */
static const char *try_udp_echo(const char *arg) {
  static char result[64];
  char data[512], from[INET_ADDRSTRLEN];
  int sock = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(arg))}, peer;
  socklen_t len = sizeof peer;
  if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof addr) < 0) return outcome(-1);
  ssize_t n = recvfrom(sock, data, sizeof data, 0, (struct sockaddr *)&peer, &len);
  if (n < 0 || sendto(sock, data, (size_t)n, 0, (struct sockaddr *)&peer, len) < 0) return outcome(-1);
  snprintf(result, sizeof result, "%zd bytes from %s", n, inet_ntop(AF_INET, &peer.sin_addr, from, sizeof from));
  return result;
}

/* A vsock socket: vsock knows no network namespace. */
static const char *try_vsock(const char *arg) {
  (void)arg;
  return outcome(socket(AF_VSOCK, SOCK_STREAM, 0));
}

/* fork=N: N children that wait to be killed; the outcome is how many the
 * kernel allowed, and why the next one failed ("15, then EAGAIN"). */
static const char *try_fork(const char *arg) {
  static char result[64];
  int wanted = atoi(arg), made = 0;
  for (; made < wanted; made++) {
    pid_t pid = fork();
    if (pid < 0) break;
    if (pid == 0) {
      pause();
      _exit(0);
    }
  }
  snprintf(result, sizeof result, "%d, then %s", made, made < wanted ? strerrorname_np(errno) : "stopped");
  return result;
}

static const struct {
  const char *name;
  const char *(*attempt)(const char *arg);
} attempts[] = {
    {"fork", try_fork},
    {"vsock", try_vsock},
    {"mount", try_mount},
    {"umount", try_umount},
    {"unshare", try_unshare},
    {"clone-namespace", try_clone_namespace},
    {"setns", try_setns},
    {"keyctl", try_keyctl},
    {"add_key", try_add_key},
    {"bpf", try_bpf},
    {"perf_event_open", try_perf_event_open},
    {"open_by_handle_at", try_open_by_handle_at},
    {"kexec_load", try_kexec_load},
    {"mknod-disk", try_mknod_disk},
    {"tiocsti", try_tiocsti},
    {"write", try_write},
    {"mkdir", try_mkdir},
    {"read", try_read},
    {"cgroup-mount", try_cgroup_mount},
    {"chroot-breakout", try_chroot_breakout},
    {"write-init-exe", try_write_init_exe},
    {"connect", try_connect},
    {"udp-echo", try_udp_echo},
    {"catch-exe", try_catch_exe},
    {"clear-pdeathsig", try_clear_pdeathsig},
    {"pause", try_pause},
    {"jam-terminal", try_jam_terminal},
};

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *name = argv[i], *arg = "";
    char *colon = strchr(argv[i], '=');
    if (colon) {
      *colon = '\0';
      arg = colon + 1;
    }
    const char *result = NULL;
    for (size_t j = 0; j < sizeof attempts / sizeof attempts[0]; j++)
      if (strcmp(attempts[j].name, name) == 0) result = attempts[j].attempt(arg);
    if (!result) {
      fprintf(stderr, "bd-probe: unknown attempt %s\n", name);
      return 2;
    }
    printf("%s%s%s: %s\n", name, *arg ? "=" : "", arg, result);
    fflush(stdout);
  }
  return 0;
}
