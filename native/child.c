#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int child_pipe(int fds[2], struct bd_error *err) {
  if (pipe2(fds, O_CLOEXEC) < 0) return bd_fail(err, errno, "pipe2");
  return 0;
}

static int spawn_child(const char *file, char *const argv[], const int *fds, int nfds, pid_t *pid, struct bd_error *err) {
  if (nfds > CHILD_MAX_FDS) return bd_fail(err, EINVAL, "spawn %s: %d fds, at most %d", file, nfds, CHILD_MAX_FDS);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  int rc = posix_spawn_file_actions_init(&actions);
  if (rc != 0) return bd_fail(err, rc, "posix_spawn_file_actions_init");
  if ((rc = posix_spawnattr_init(&attr)) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return bd_fail(err, rc, "posix_spawnattr_init");
  }
  /* Each of fds at its place, in order: one that is itself a place taken before it is reached (fds {4, 3})
   * goes from a copy above them all. dup2 onto itself clears close-on-exec, as POSIX says. */
  int copies[CHILD_MAX_FDS];
  for (int i = 0; i < nfds; i++) copies[i] = -1;
  for (int i = 0; i < nfds && rc == 0; i++) {
    int from = fds[i];
    if (from >= 0 && from < i) {
      if ((copies[i] = fcntl(from, F_DUPFD_CLOEXEC, nfds)) < 0) rc = errno;
      from = copies[i];
    }
    if (rc == 0)
      rc = from < 0 ? posix_spawn_file_actions_addopen(&actions, i, "/dev/null", O_RDWR, 0) : posix_spawn_file_actions_adddup2(&actions, from, i);
  }
  if (rc == 0) rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (rc == 0) rc = posix_spawnattr_setsigmask(&attr, &none);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr, &all);
  char *no_env[] = {NULL};
  if (rc == 0) rc = posix_spawn(pid, file, &actions, &attr, argv, no_env);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  for (int i = 0; i < nfds; i++)
    if (copies[i] >= 0) close(copies[i]);
  return rc == 0 ? 0 : bd_fail(err, rc, "spawn %s", file);
}

struct watch {
  pid_t pid;
  child_ended ended;
  void *ctx;
};

static void *wait_for_end(void *arg) {
  struct watch w = *(struct watch *)arg;
  free(arg);
  int status = 0;
  pid_t reaped;
  do reaped = waitpid(w.pid, &status, 0);
  while (reaped < 0 && errno == EINTR);
  if (WIFSIGNALED(status)) w.ended(w.ctx, -1, WTERMSIG(status));
  else w.ended(w.ctx, WEXITSTATUS(status), -1);
  return NULL;
}

int child_start(const char *file, char *const argv[], const int *fds, int nfds, child_ended ended, void *ctx, pid_t *pid, struct bd_error *err) {
  if (spawn_child(file, argv, fds, nfds, pid, err) < 0) return -1;
  struct watch *w = malloc(sizeof *w);
  int rc = ENOMEM;
  pthread_t thread;
  pthread_attr_t attr;
  if (w) {
    *w = (struct watch){*pid, ended, ctx};
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&thread, &attr, wait_for_end, w);
    pthread_attr_destroy(&attr);
  }
  if (rc == 0) return 0;
  free(w);
  kill(*pid, SIGKILL); /* unwatched, it would never be reaped */
  waitpid(*pid, NULL, 0);
  return bd_fail(err, rc, "start a thread to wait for %s", file);
}
