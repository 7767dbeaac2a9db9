/* bd-bench-launch: times whole processes, so that what the bench reports
 * is what a user waits for, and not what Node's spawn adds (~10 ms).
 *
 *   bd-bench-launch ITERATIONS WARMUP :: CMD [ARG...] [::after CMD [ARG...]] [:: CMD ...]...
 *
 * Runs the commands round-robin (every one once per iteration, so noise
 * hits them alike), each from fork to reaped exit with stdio on /dev/null,
 * after a 50 ms pause (a container start within ~10 ms of another is
 * cheaper: the cgroup migration lock is still warm). Prints "CASE MS" per
 * timed run. In the arguments "@PARENT@" becomes this process's PID and
 * "@RUN@" a number unique to the run (for container ids). A command given
 * as "@SEALED@FILE" runs from a sealed memfd copy of FILE made once, as the
 * runtime runs the shim (native/sealed_exe.h). Exits 1 as soon as a
 * command fails. A case's "::after" command runs, untimed, after each of its
 * runs: to undo what the run did (an image pulled, a tree unpacked), so
 * that every run does the whole work. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sealed_exe.h"

#define MAX_CASES 16
#define GAP_NS 50000000L

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* argv with the placeholders filled in, in a fresh array. */
static char **fill(char **argv, int argc, long run) {
  char **out = calloc((size_t)argc + 1, sizeof *out);
  if (!out) exit(1);
  for (int i = 0; i < argc; i++) {
    char buf[64];
    if (strcmp(argv[i], "@PARENT@") == 0) snprintf(buf, sizeof buf, "%d", (int)getpid());
    else if (strstr(argv[i], "@RUN@")) snprintf(buf, sizeof buf, "%.*s%d%ld", (int)(strstr(argv[i], "@RUN@") - argv[i]), argv[i], (int)getpid(), run);
    out[i] = strcmp(argv[i], "@PARENT@") == 0 || strstr(argv[i], "@RUN@") ? strdup(buf) : argv[i];
  }
  return out;
}

static double time_one(char **argv, int argc, long run) {
  char **args = fill(argv, argc, run);
  if (!args[0]) return 0; /* no command: a case without "::after" */
  nanosleep(&(struct timespec){0, GAP_NS}, NULL);
  double begin = now_ms();
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0), dup2(null, 1), dup2(null, 2);
    execvp(args[0], args);
    _exit(127);
  }
  int status;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) {
    perror("bd-bench-launch: fork or wait");
    exit(1);
  }
  double ms = now_ms() - begin;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "bd-bench-launch: %s exited with status %d\n", args[0], status);
    exit(1);
  }
  return ms;
}

int main(int argc, char **argv) {
  if (argc < 5 || strcmp(argv[3], "::") != 0) {
    fprintf(stderr, "usage: bd-bench-launch ITERATIONS WARMUP :: CMD [ARG...] [:: CMD [ARG...]]...\n");
    return 2;
  }
  long iterations = atol(argv[1]), warmup = atol(argv[2]), run = 0;
  char **cmd[MAX_CASES], **after[MAX_CASES];
  int len[MAX_CASES], after_len[MAX_CASES], cases = 0, in_after = 0;
  for (int i = 3; i < argc; i++) {
    if (strcmp(argv[i], "::") == 0 && i + 1 < argc && cases < MAX_CASES) {
      cmd[cases] = argv + i + 1;
      after[cases] = argv + argc; /* the NULL after the last argument: none */
      len[cases] = after_len[cases] = 0;
      cases++;
      in_after = 0;
    } else if (strcmp(argv[i], "::after") == 0 && cases) {
      after[cases - 1] = argv + i + 1;
      in_after = 1;
    } else if (cases) {
      (in_after ? after_len : len)[cases - 1]++;
    }
  }
  for (int c = 0; c < cases; c++) {
    if (strncmp(cmd[c][0], "@SEALED@", 8) != 0) continue;
    struct bd_error err;
    int fd = sealed_copy(cmd[c][0] + 8, &err);
    if (fd < 0) {
      fprintf(stderr, "bd-bench-launch: %s\n", err.msg);
      return 1;
    }
    /* Resolved by the child's exec before close-on-exec closes it. */
    if (asprintf(&cmd[c][0], "/proc/self/fd/%d", fd) < 0) return 1;
  }
  for (long i = 0; i < warmup + iterations; i++)
    for (int c = 0; c < cases; c++) {
      double ms = time_one(cmd[c], len[c], run);
      time_one(after[c], after_len[c], run++);
      if (i >= warmup) printf("%d %.3f\n", c, ms);
    }
  return 0;
}
