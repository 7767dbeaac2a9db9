#define _GNU_SOURCE
#include "terminal.h"

#include <errno.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

int take_controlling_terminal(int fd, struct bd_error *err) {
  if (ioctl(fd, TIOCSCTTY, 0) < 0) return bd_fail(err, errno, "TIOCSCTTY on fd %d", fd);
  return 0;
}

int set_foreground(int fd, pid_t pgrp, struct bd_error *err) {
  /* A background group asking for the foreground gets SIGTTOU unless it is
   * blocked; block it for the call. */
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  sigprocmask(SIG_BLOCK, &ttou, &old);
  int rc = tcsetpgrp(fd, pgrp);
  int saved = errno;
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (rc < 0) return bd_fail(err, saved, "tcsetpgrp fd %d", fd);
  return 0;
}
