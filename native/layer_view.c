/* bd-layer-view LAYER.ext4: lets its caller (commit) read what a kept run
 * left, and nothing more. The layer file is locked shared (refused while a
 * run uses it; no run can start on it meanwhile), attached to a read-only
 * loop device (LO_FLAGS_AUTOCLEAR) and mounted read-only, nosuid, nodev,
 * noexec as a detached mount (fsmount: in no mount table at all) in a mount
 * namespace of this process's own. Its working directory is then the
 * layer's upper/, which the caller reads through /proc/PID/cwd; it prints
 * "ready" and waits for stdin to close (or its parent to die). When it
 * exits, however it ends, its fds go and with them the mount, then the
 * loop device; on a clean end it waits until the device is detached, so the
 * caller sees nothing left. Errors: one line on stderr, exit 125. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "layer.h"
#include "utils.h"

/* The layer's ext4, mounted read-only with no mount point; returns the mount's fd. */
static int mount_detached(const char *dev, struct bd_error *err) {
  int fs = fsopen("ext4", FSOPEN_CLOEXEC), mnt = -1;
  if (fs < 0) return bd_fail(err, errno, "fsopen ext4");
  if (fsconfig(fs, FSCONFIG_SET_STRING, "source", dev, 0) < 0 || fsconfig(fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0 ||
      fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    bd_fail(err, errno, "mount the layer %s", dev);
  else if ((mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)) < 0)
    bd_fail(err, errno, "fsmount the layer %s", dev);
  close(fs);
  return mnt;
}

/* Make the layer's upper/ our working directory; returns the mount's fd. */
static int enter_upper(const char *dev, struct bd_error *err) {
  if (unshare(CLONE_NEWNS) < 0) return bd_fail(err, errno, "unshare the mount namespace");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return bd_fail(err, errno, "make the mounts private");
  int mnt = mount_detached(dev, err);
  if (mnt < 0) return -1;
  int upper = openat(mnt, "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (upper < 0) {
    bd_fail(err, errno, "open the layer's upper (was it ever run on?)");
  } else if (fchdir(upper) < 0) {
    bd_fail(err, errno, "chdir into the layer's upper");
  } else {
    close(upper);
    return mnt;
  }
  if (upper >= 0) close(upper);
  close(mnt);
  return -1;
}

/* Wait (up to 5 s) for the autoclear of `dev` (/dev/loopN) once nothing holds it. */
static void wait_detached(const char *dev) {
  char backing[PATH_MAX];
  struct bd_error ignored;
  if (bd_format(backing, sizeof backing, &ignored, "/sys/block/%s/loop/backing_file", dev + strlen("/dev/")) < 0) return;
  struct timespec tick = {0, 1000000};
  for (int i = 0; i < 5000 && path_exists(backing); i++) nanosleep(&tick, NULL);
}

int main(int argc, char **argv) {
  struct bd_error err = {0};
  struct layer layer = {-1, -1, ""};
  if (argc != 2) {
    fprintf(stderr, "usage: bd-layer-view LAYER.ext4\n");
    return BD_EXIT_RUNTIME;
  }
  int mnt = -1;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) bd_fail(&err, errno, "prctl PR_SET_PDEATHSIG");
  else if (getppid() == 1) bd_fail(&err, 0, "the caller is gone");
  else if (layer_attach_readonly(argv[1], &layer, &err) == 0) mnt = enter_upper(layer.dev, &err);
  if (mnt < 0) {
    layer_release(&layer);
    fprintf(stderr, "%s\n", err.msg);
    return BD_EXIT_RUNTIME;
  }
  if (printf("ready\n") < 0 || fflush(stdout) != 0) return BD_EXIT_RUNTIME;
  char buf[256];
  ssize_t n;
  while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    ;
  /* Let go of the mount (cwd and fd), then the device, and see it detached. */
  if (chdir("/") < 0) return BD_EXIT_RUNTIME;
  close(mnt);
  layer_release(&layer);
  wait_detached(layer.dev);
  return 0;
}
