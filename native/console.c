#define _GNU_SOURCE
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define DEVPTS_SUPER_MAGIC 0x1cd1

int console_open(int *slave, const struct winsize *size, struct bd_error *err) {
  /* Whatever the container made of its /dev, what opens must be a devpts ptmx. */
  int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (master < 0) return bd_fail(err, errno, "open the container's /dev/pts/ptmx");
  struct statfs fs;
  struct stat st;
  int unlock = 0;
  *slave = -1;
  if (fstatfs(master, &fs) < 0 || fstat(master, &st) < 0) {
    bd_fail(err, errno, "stat the container's /dev/pts/ptmx");
  } else if (fs.f_type != DEVPTS_SUPER_MAGIC || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2)) {
    bd_fail(err, 0, "the container's /dev/pts/ptmx is not a devpts ptmx");
  } else if (ioctl(master, TIOCSPTLCK, &unlock) < 0) {
    bd_fail(err, errno, "unlock a pty of the container's devpts");
  } else if ((*slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
    bd_fail(err, errno, "open the slave of a pty of the container's devpts");
  } else if (size && (size->ws_col || size->ws_row) && ioctl(master, TIOCSWINSZ, size) < 0) {
    bd_fail(err, errno, "set the size of the container's pty");
  } else {
    return master;
  }
  if (*slave >= 0) close(*slave);
  close(master);
  return -1;
}
