#define _GNU_SOURCE
#include "nat.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FORWARDING "/proc/sys/net/ipv4/ip_forward"

/* The shim runs with an empty environment: no PATH to search. */
static const char *find_program(const char *name, char *path, size_t len) {
  const char *dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    snprintf(path, len, "%s/%s", dirs[i], name);
    if (access(path, X_OK) == 0) return path;
  }
  return NULL;
}

/* fork, as a child of our own PID namespace: the shim's children are born
 * in its holder's (see container.c), where none can be once the holder has
 * gone (ENOMEM), and where nft would die with the container. */
static pid_t fork_in_own_pid_namespace(void) {
  int own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  int children = open("/proc/thread-self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
  int moved = own >= 0 && children >= 0 && setns(own, CLONE_NEWPID) == 0;
  pid_t pid = fork();
  if (pid != 0 && moved) {
    int e = errno;
    setns(children, CLONE_NEWPID); /* fails only when that namespace has ended: nothing more is born there */
    errno = e;
  }
  if (pid != 0 && own >= 0) close(own);
  if (pid != 0 && children >= 0) close(children);
  return pid;
}

/* Run argv (argv[0] a full path) with `input` on its stdin; its exit code, or -1 with err. */
static int run_program(char *const argv[], const char *input, struct bd_error *err) {
  int in[2];
  if (pipe2(in, O_CLOEXEC) < 0) return bd_fail(err, errno, "pipe for %s", argv[0]);
  pid_t pid = fork_in_own_pid_namespace();
  if (pid < 0) {
    int e = errno;
    close(in[0]);
    close(in[1]);
    return bd_fail(err, e, "fork %s", argv[0]);
  }
  if (pid == 0) {
    struct bd_error ignored;
    int null = open("/dev/null", O_WRONLY);
    if (dup2(in[0], 0) < 0 || null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 || close_from(3, &ignored) < 0) _exit(127);
    char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
    execve(argv[0], argv, envp);
    _exit(127);
  }
  close(in[0]);
  size_t len = strlen(input);
  for (size_t off = 0; off < len;) {
    ssize_t n = write(in[1], input + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break; /* it exited early: its status says why */
    off += (size_t)n;
  }
  close(in[1]);
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return bd_fail(err, errno, "wait for %s", argv[0]);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The iptables rule, appended (-A), checked (-C) or deleted (-D). */
static int iptables_rule(const char *op, const char *subnet, const char *bridge, struct bd_error *err) {
  char path[PATH_MAX];
  if (!find_program("iptables", path, sizeof path)) return bd_fail(err, 0, "neither nft nor iptables is installed: no NAT for the bridge");
  char *argv[] = {path, "-w", "-t", "nat", (char *)op, "POSTROUTING", "-s", (char *)subnet, "!", "-o", (char *)bridge,
                  "-m", "comment", "--comment", NAT_TABLE, "-j", "MASQUERADE", NULL};
  return run_program(argv, "", err);
}

static int forwarding_on(const char *state_dir, struct bd_error *err) {
  char was[8];
  if (read_file(NULL, FORWARDING, was, sizeof was, err) < 0) return -1;
  if (strcmp(was, "1") == 0) return 0;
  /* Recorded before it changes: nat_disable puts it back. */
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/forwarding", state_dir);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST) return bd_fail(err, errno, "create %s", path);
  if (fd >= 0) {
    ssize_t n = write(fd, was, strlen(was));
    close(fd);
    if (n != (ssize_t)strlen(was)) return bd_fail(err, errno, "write %s", path);
  }
  return write_file(NULL, FORWARDING, "1", err);
}

int nat_enable(const char *subnet, const char *bridge, const char *state_dir, struct bd_error *err) {
  char nft[PATH_MAX], ruleset[512];
  if (forwarding_on(state_dir, err) < 0) return -1;
  if (find_program("nft", nft, sizeof nft)) {
    snprintf(ruleset, sizeof ruleset,
             "table ip " NAT_TABLE "\ndelete table ip " NAT_TABLE "\n"
             "table ip " NAT_TABLE " {\n  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n"
             "    ip saddr %s oifname != \"%s\" masquerade\n  }\n}\n",
             subnet, bridge);
    char *argv[] = {nft, "-f", "-", NULL};
    int code = run_program(argv, ruleset, err);
    if (code < 0) return -1;
    return code == 0 ? 0 : bd_fail(err, 0, "nft -f - (table ip " NAT_TABLE "): exit %d", code);
  }
  int code = iptables_rule("-C", subnet, bridge, err);
  if (code < 0) return -1;
  if (code == 0) return 0;
  code = iptables_rule("-A", subnet, bridge, err);
  if (code < 0) return -1;
  return code == 0 ? 0 : bd_fail(err, 0, "iptables -t nat -A POSTROUTING (masquerade %s): exit %d", subnet, code);
}

void nat_disable(const char *subnet, const char *bridge, const char *state_dir) {
  struct bd_error ignored;
  char nft[PATH_MAX], path[PATH_MAX], was[8];
  if (find_program("nft", nft, sizeof nft)) {
    char *argv[] = {nft, "-f", "-", NULL};
    run_program(argv, "table ip " NAT_TABLE "\ndelete table ip " NAT_TABLE "\n", &ignored);
  } else if (subnet) {
    while (iptables_rule("-D", subnet, bridge, &ignored) == 0) {
    }
  }
  snprintf(path, sizeof path, "%s/forwarding", state_dir);
  if (read_file(NULL, path, was, sizeof was, &ignored) >= 0) {
    write_file(NULL, FORWARDING, was, &ignored);
    unlink(path);
  }
}
