/* PID 1 of the cgroup v2 test guest (a user-mode-linux kernel booted by
 * run.sh with the host's / as its root). It mounts what a systemd machine
 * would have (/proc, /sys, cgroup2 at /sys/fs/cgroup, /dev with its pts and
 * shm, a tmpfs /run), optionally makes a login-session-like scope and runs
 * the command in it (after loading the overlay and loop modules, which
 * Debian's UML kernel has as modules, and giving the runtime's layers a
 * tmpfs: hostfs has no O_TMPFILE), copies the command's output to the console that run.sh
 * reads, records the exit code and powers off.
 *
 * The run directory (kernel argument bd_run=DIR, an environment variable
 * here) holds what run.sh wrote: argv and env (NUL-separated), cwd, and
 * scope (a cgroup path such as /user.slice/user-0.slice/session-1.scope, or
 * empty for the root cgroup). The exit code goes to DIR/rc. Static, so that
 * nothing but the kernel is needed: every fork and exec is slow in the guest. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define OUTPUT_TTY "/dev/tty1" /* run.sh connects it to its stdout */

static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "guest-init: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
}

/* No rc file: run.sh reports that the guest failed before the command ran. */
static void power_off(void) {
  sync();
  reboot(RB_POWER_OFF);
  for (;;) pause();
}

static void must(int ok, const char *what) {
  if (ok) return;
  say("%s: %s", what, strerror(errno));
  power_off();
}

static void mount_fs(const char *source, const char *target, const char *type, unsigned long flags, const char *data) {
  mkdir(target, 0755);
  if (mount(source, target, type, flags, data) < 0 && errno != EBUSY) {
    char what[256];
    snprintf(what, sizeof what, "mount %s on %s", type, target);
    must(0, what);
  }
}

/* The whole of DIR/name, NUL-terminated; *len gets its length. */
static char *slurp(const char *dir, const char *name, size_t *len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  must(fd >= 0, path);
  size_t cap = 4096, used = 0;
  char *buf = malloc(cap);
  for (ssize_t n; (n = read(fd, buf + used, cap - used - 1)) != 0;) {
    must(n > 0 || errno == EINTR, path);
    if (n > 0) used += (size_t)n;
    if (cap - used < 2) buf = realloc(buf, cap *= 2);
    must(buf != NULL, "realloc");
  }
  close(fd);
  buf[used] = '\0';
  if (len) *len = used;
  return buf;
}

/* "a\0b\0" -> {"a", "b", NULL} */
static char **split_nul(char *buf, size_t len) {
  size_t count = 0;
  for (size_t i = 0; i < len; i++) count += buf[i] == '\0';
  char **out = calloc(count + 1, sizeof *out);
  must(out != NULL, "calloc");
  for (size_t i = 0, n = 0; i < len; i += strlen(buf + i) + 1) out[n++] = buf + i;
  return out;
}

static void write_text(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  must(fd >= 0, path);
  must(write(fd, text, strlen(text)) == (ssize_t)strlen(text), path);
  close(fd);
}

/* Like systemd: each cgroup on the way passes memory and pids on to the next. */
static void make_scope(const char *scope) {
  char path[4096] = "/sys/fs/cgroup";
  char copy[4096];
  snprintf(copy, sizeof copy, "%s", scope);
  for (char *part = strtok(copy, "/"); part; part = strtok(NULL, "/")) {
    char control[4200];
    snprintf(control, sizeof control, "%s/cgroup.subtree_control", path);
    write_text(control, "+memory +pids");
    strncat(path, "/", sizeof path - strlen(path) - 1);
    strncat(path, part, sizeof path - strlen(path) - 1);
    must(mkdir(path, 0755) == 0 || errno == EEXIST, path);
  }
}

static void loopback_up(void) {
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  must(sock >= 0 && ioctl(sock, SIOCGIFFLAGS, &ifr) == 0, "get flags of lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  must(ioctl(sock, SIOCSIFFLAGS, &ifr) == 0, "bring up lo");
  close(sock);
}

/* Output passes byte for byte: no newline translation, no echo. */
/* What modprobe would do for the modules the runtime needs (there is no kmod
 * in the guest's view, and no /lib/modules for this kernel). */
static void load_modules(void) {
  static const char *const modules[] = {"fs/overlayfs/overlay.ko", "drivers/block/loop.ko"};
  struct utsname u;
  must(uname(&u) == 0, "uname");
  for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++) {
    char path[512];
    snprintf(path, sizeof path, "/usr/lib/uml/modules/%s/kernel/%s", u.release, modules[i]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    must(fd >= 0, path);
    must(syscall(SYS_finit_module, fd, "", 0) == 0 || errno == EEXIST, path);
    close(fd);
  }
}

static int open_raw_tty(const char *path) {
  int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
  must(fd >= 0, path);
  struct termios t;
  if (tcgetattr(fd, &t) == 0) {
    t.c_oflag &= ~(tcflag_t)OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ICANON);
    tcsetattr(fd, TCSANOW, &t);
  }
  return fd;
}

/* Copy the command's output until every writer is gone (the command and
 * whatever it left behind), reaping meanwhile: as PID 1 we inherit every
 * orphan, and a test waits for the processes it killed to disappear. */
static int copy_and_reap(int from, int to, pid_t child) {
  char buf[65536];
  int code = 255, open_output = 1, status;
  for (;;) {
    for (pid_t pid; (pid = waitpid(-1, &status, open_output ? WNOHANG : 0)) > 0;)
      if (pid == child) code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (!open_output) {
      if (errno == EINTR) continue;
      return code; /* ECHILD: nobody is left */
    }
    struct pollfd p = {from, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      open_output = 0;
      continue;
    }
    for (ssize_t off = 0, w; off<n; off += w> 0 ? w : 0)
      if ((w = write(to, buf + off, (size_t)(n - off))) < 0 && errno != EINTR) break;
  }
}

int main(void) {
  const char *run = getenv("bd_run");
  if (!run) {
    say("no bd_run= on the kernel command line");
    power_off();
  }
  mount_fs("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  mount_fs("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  mount_fs("devtmpfs", "/dev", "devtmpfs", 0, "mode=755");
  mount_fs("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,gid=5,mode=620,ptmxmode=666");
  mount_fs("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  mount_fs("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, "nsdelegate,memory_recursiveprot");
  mount_fs("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
  load_modules();
  must((mkdir("/var/lib/baby-docker", 0700) == 0 || errno == EEXIST) && (mkdir("/var/lib/baby-docker/layers", 0700) == 0 || errno == EEXIST),
       "mkdir /var/lib/baby-docker/layers");
  mount_fs("tmpfs", "/var/lib/baby-docker/layers", "tmpfs", MS_NOSUID | MS_NODEV, "mode=700");
  must(sethostname("cgv2", 4) == 0, "sethostname");
  loopback_up();

  size_t argv_len, env_len;
  char *argv_buf = slurp(run, "argv", &argv_len), *env_buf = slurp(run, "env", &env_len);
  char **argv = split_nul(argv_buf, argv_len), **envp = split_nul(env_buf, env_len);
  char *cwd = slurp(run, "cwd", NULL), *scope = slurp(run, "scope", NULL);
  must(argv[0] != NULL, "empty argv");
  if (scope[0]) make_scope(scope);

  int out = open_raw_tty(OUTPUT_TTY), pipefd[2];
  must(pipe2(pipefd, O_CLOEXEC) == 0, "pipe");
  pid_t child = fork();
  must(child >= 0, "fork");
  if (child == 0) {
    if (scope[0]) {
      char procs[4200], pid[32];
      snprintf(procs, sizeof procs, "/sys/fs/cgroup%s/cgroup.procs", scope);
      snprintf(pid, sizeof pid, "%d", getpid());
      write_text(procs, pid);
    }
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(pipefd[1], 1) < 0 || dup2(pipefd[1], 2) < 0 || chdir(cwd) < 0) {
      perror("guest-init: set up the command");
      _exit(125);
    }
    setsid();
    execvpe(argv[0], argv, envp);
    fprintf(stderr, "guest-init: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(pipefd[1]);
  int code = copy_and_reap(pipefd[0], out, child);
  char rc_path[4096], rc[16];
  snprintf(rc_path, sizeof rc_path, "%s/rc", run);
  int fd = open(rc_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  snprintf(rc, sizeof rc, "%d\n", code);
  must(fd >= 0 && write(fd, rc, strlen(rc)) == (ssize_t)strlen(rc) && fsync(fd) == 0, rc_path);
  close(fd);
  power_off();
}
