#define _GNU_SOURCE
#include "init.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "terminal.h"

void run_init(const struct container_config *c, int sync_fd) {
  struct bd_error err;
  pid_t child = fork();
  if (child < 0) {
    bd_fail(&err, errno, "fork the command under init");
    sync_send(sync_fd, SYNC_ERROR, &err);
    _exit(err.exit_code);
  }
  if (child == 0) {
    /* Its own process group in the terminal's foreground, so Ctrl-C and
     * Ctrl-Z reach the command straight from the kernel. */
    setpgid(0, 0);
    if (c->tty) set_foreground(0, getpid(), &err);
    exec_command(c, sync_fd);
  }
  /* Nothing but stdio stays open here: the command's exec now closes the
   * last copy of the sync channel, and no end of the shim's stdio pipes or
   * status channel lives on in a process that never execs. */
  if (close_from(3, &err) < 0) _exit(err.exit_code);
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      kill(child, sig);
      continue;
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
      if (pid == child) _exit(exit_code_of(status));
  }
}
