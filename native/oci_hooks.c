#define _GNU_SOURCE
#include "oci_hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_HOOK_ARGS 64

/* A hook's strings (args or env) into out, NULL-terminated. */
static int strings(json_object *hook, const char *key, char **out, struct bd_error *err) {
  json_object *array;
  size_t n = 0;
  if (json_object_object_get_ex(hook, key, &array) && json_object_get_type(array) == json_type_array) {
    if (json_object_array_length(array) >= MAX_HOOK_ARGS) return bd_fail(err, 0, "config.json: a hook's %s: at most %d", key, MAX_HOOK_ARGS - 1);
    for (; n < json_object_array_length(array); n++) out[n] = (char *)json_object_get_string(json_object_array_get_idx(array, n));
  }
  out[n] = NULL;
  return 0;
}

static int run_one(json_object *hook, const char *which, const char *state, struct bd_error *err) {
  json_object *value;
  char *argv[MAX_HOOK_ARGS], *envp[MAX_HOOK_ARGS];
  const char *path = json_object_object_get_ex(hook, "path", &value) ? json_object_get_string(value) : NULL;
  int timeout = json_object_object_get_ex(hook, "timeout", &value) ? json_object_get_int(value) : -1;
  if (!path) return bd_fail(err, 0, "config.json: a %s hook has no path", which);
  if (strings(hook, "args", argv, err) < 0 || strings(hook, "env", envp, err) < 0) return -1;
  if (!argv[0]) {
    argv[0] = (char *)path;
    argv[1] = NULL;
  }
  int in[2];
  if (pipe2(in, O_CLOEXEC) < 0) return bd_fail(err, errno, "pipe for the %s hook %s", which, path);
  pid_t pid = fork();
  if (pid < 0) {
    close(in[0]);
    close(in[1]);
    return bd_fail(err, errno, "fork the %s hook %s", which, path);
  }
  if (pid == 0) {
    if (dup2(in[0], 0) < 0) _exit(127);
    execve(path, argv, envp);
    _exit(127);
  }
  close(in[0]);
  /* The state fits in the pipe; a hook that reads none of it (EPIPE) is no error. */
  signal(SIGPIPE, SIG_IGN);
  ssize_t written = write(in[1], state, strlen(state));
  (void)written;
  close(in[1]);
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), status = 0;
  struct pollfd p = {.fd = pidfd, .events = POLLIN};
  int ended = pidfd < 0 || poll(&p, 1, timeout > 0 ? timeout * 1000 : -1) != 0;
  if (!ended) kill(pid, SIGKILL);
  if (pidfd >= 0) close(pidfd);
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return bd_fail(err, errno, "wait for the %s hook %s", which, path);
  if (!ended) return bd_fail(err, 0, "the %s hook %s took longer than its timeout, %d s", which, path, timeout);
  if (WIFSIGNALED(status)) return bd_fail(err, 0, "the %s hook %s was killed by signal %d", which, path, WTERMSIG(status));
  if (WEXITSTATUS(status) != 0) return bd_fail(err, 0, "the %s hook %s exited with %d", which, path, WEXITSTATUS(status));
  return 0;
}

int oci_hooks_run(json_object *hooks, const char *which, const char *state, int keep_going, struct bd_error *err) {
  json_object *list;
  int rc = 0;
  if (!hooks || !json_object_object_get_ex(hooks, which, &list) || json_object_get_type(list) != json_type_array) return 0;
  for (size_t i = 0; i < json_object_array_length(list); i++) {
    struct bd_error one;
    if (run_one(json_object_array_get_idx(list, i), which, state, &one) == 0) continue;
    if (rc == 0) *err = one;
    rc = -1;
    if (!keep_going) break;
  }
  return rc;
}
