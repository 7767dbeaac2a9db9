#define _GNU_SOURCE
#include "layer.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* Copy only the template's data: it is a sparse file, mostly holes, and a
 * copy of the holes would write the whole size out. */
static int copy_data(int from, int to, off_t size, const char *shown, struct bd_error *err) {
  if (ftruncate(to, size) < 0) return bd_fail(err, errno, "size a layer like %s", shown);
  for (off_t off = 0; off < size;) {
    off_t data = lseek(from, off, SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;
    off_t hole = data < 0 ? -1 : lseek(from, data, SEEK_HOLE);
    if (hole < 0) return bd_fail(err, errno, "seek in %s", shown);
    off_t in = data, out = data;
    while (in < hole) {
      ssize_t n = copy_file_range(from, &in, to, &out, (size_t)(hole - in), 0);
      if (n <= 0) return bd_fail(err, n < 0 ? errno : EIO, "copy %s", shown);
    }
    off = hole;
  }
  return 0;
}

/* A nameless copy of the template in its directory, named `keep` once whole. */
static int copy_template(const char *template, const char *keep, struct bd_error *err) {
  char dir[PATH_MAX];
  struct stat st;
  if ((size_t)snprintf(dir, sizeof dir, "%s", template) >= sizeof dir) return bd_fail(err, ENAMETOOLONG, "layer template %s", template);
  int from = open(template, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), to = -1, rc = -1;
  if (from < 0) return bd_fail(err, errno, "open %s", template);
  if ((to = open(dirname(dir), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0)
    bd_fail(err, errno, "make a layer file in %s (it needs a filesystem with O_TMPFILE: ext4, xfs, btrfs, tmpfs)", dir);
  else if (fstat(from, &st) < 0) bd_fail(err, errno, "stat %s", template);
  else if (copy_data(from, to, st.st_size, template, err) < 0)
    ;
  else if (keep && linkat(to, "", AT_FDCWD, keep, AT_EMPTY_PATH) < 0) bd_fail(err, errno, "link the kept layer %s", keep);
  else rc = to;
  close(from);
  if (rc < 0 && to >= 0) close(to);
  return rc;
}

/* A free loop device on image_fd with `flags` (LO_FLAGS_AUTOCLEAR always: it detaches on its last close once unmounted). */
static int open_loop(int image_fd, unsigned flags, char *dev, size_t len, struct bd_error *err) {
  int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC), loop = -1;
  if (ctl < 0) return bd_fail(err, errno, "open /dev/loop-control (load the loop module: modprobe loop)");
  struct loop_config config;
  memset(&config, 0, sizeof config);
  config.fd = (unsigned)image_fd;
  config.info.lo_flags = LO_FLAGS_AUTOCLEAR | flags;
  /* Another process may take the free device between the two calls (EBUSY): ask again. */
  for (int tries = 0; loop < 0 && tries < 1000; tries++) {
    int n = ioctl(ctl, LOOP_CTL_GET_FREE);
    if (n < 0) {
      bd_fail(err, errno, "find a free loop device");
      break;
    }
    if (bd_format(dev, len, err, "/dev/loop%d", n) < 0) break;
    if ((loop = open(dev, (flags & LO_FLAGS_READ_ONLY ? O_RDONLY : O_RDWR) | O_CLOEXEC)) < 0) {
      bd_fail(err, errno, "open %s", dev);
      break;
    }
    if (ioctl(loop, LOOP_CONFIGURE, &config) == 0) break;
    int e = errno;
    close(loop);
    loop = -1;
    if (e != EBUSY || tries == 999) {
      bd_fail(err, e, "attach the layer to %s", dev);
      break;
    }
  }
  close(ctl);
  return loop;
}

int layer_attach(const char *template, const char *keep, const char *reuse, struct layer *l, struct bd_error *err) {
  l->loop_fd = -1;
  l->image_fd = template ? copy_template(template, keep, err) : open(reuse, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (l->image_fd < 0) return template ? -1 : bd_fail(err, errno, "open the kept layer %s", reuse);
  /* Two mounts of one ext4 would corrupt it: one run at a time on a layer. */
  if (flock(l->image_fd, LOCK_EX | LOCK_NB) < 0) {
    bd_fail(err, errno == EWOULDBLOCK ? 0 : errno, errno == EWOULDBLOCK ? "layer %s is in use by a running container: wait for it to end" : "lock %s",
            template ? keep : reuse);
  } else if ((l->loop_fd = open_loop(l->image_fd, 0, l->dev, sizeof l->dev, err)) >= 0) {
    return 0;
  }
  layer_release(l);
  return -1;
}

int layer_attach_readonly(const char *path, struct layer *l, struct bd_error *err) {
  l->loop_fd = -1;
  if ((l->image_fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) return bd_fail(err, errno, "open the kept layer %s", path);
  /* Shared: readers may share it, a run (LOCK_EX) may not mount it meanwhile, nor we while one does. */
  if (flock(l->image_fd, LOCK_SH | LOCK_NB) < 0) {
    bd_fail(err, errno == EWOULDBLOCK ? 0 : errno, errno == EWOULDBLOCK ? "layer %s is in use by a running container: wait for it to end" : "lock %s",
            path);
  } else if ((l->loop_fd = open_loop(l->image_fd, LO_FLAGS_READ_ONLY, l->dev, sizeof l->dev, err)) >= 0) {
    return 0;
  }
  layer_release(l);
  return -1;
}

void layer_release(struct layer *l) {
  if (l->loop_fd >= 0) close(l->loop_fd);
  if (l->image_fd >= 0) close(l->image_fd);
  l->loop_fd = l->image_fd = -1;
}

/* "lowerdir=/proc/self/fd/A:/proc/self/fd/B,upperdir=...,workdir=...": fd
 * paths, which hold no comma or colon to escape, and name what was opened. */
static int overlay_options(const int *lower_fds, size_t nlowers, int upper_fd, int work_fd, char *data, size_t len, struct bd_error *err) {
  size_t used = (size_t)snprintf(data, len, "lowerdir=");
  for (size_t i = 0; i < nlowers && used < len; i++)
    used += (size_t)snprintf(data + used, len - used, "%s/proc/self/fd/%d", i ? ":" : "", lower_fds[i]);
  if (used < len) used += (size_t)snprintf(data + used, len - used, ",upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d", upper_fd, work_fd);
  return used < len ? 0 : bd_fail(err, E2BIG, "overlay options for %zu layers", nlowers);
}

int layer_mount(const char *dev, const char *const *lowers, size_t nlowers, const char *disk_dir, const char *root_dir, struct bd_error *err) {
  int lower_fds[MAX_LOWERS], disk_fd = -1, upper_fd = -1, work_fd = -1, fresh = 0, rc = -1;
  size_t opened = 0;
  struct stat st;
  char data[4096];
  if (nlowers == 0 || nlowers > MAX_LOWERS) return bd_fail(err, 0, "an overlay takes 1 to %d lower layers, not %zu", MAX_LOWERS, nlowers);
  /* No journal to write: the layer lives for a run or two; discard gives the
   * host back the space of what is deleted in it. */
  if (mount(dev, disk_dir, "ext4", MS_NOATIME, "noinit_itable,discard") < 0) return bd_fail(err, errno, "mount the layer %s", dev);
  for (; opened < nlowers; opened++) {
    if ((lower_fds[opened] = open(lowers[opened], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
      bd_fail(err, errno, "open %s", lowers[opened]);
      goto out;
    }
  }
  /* The merged / shows the upper's owner and mode: the bottom layer's, as without an overlay. */
  if (fstat(lower_fds[nlowers - 1], &st) < 0) {
    bd_fail(err, errno, "stat %s", lowers[nlowers - 1]);
  } else if ((disk_fd = open(disk_dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
    bd_fail(err, errno, "open %s", disk_dir);
  } else if ((fresh = mkdirat(disk_fd, "upper", 0700) == 0) == 0 && errno != EEXIST) {
    bd_fail(err, errno, "mkdir the layer's upper");
  } else if (mkdirat(disk_fd, "work", 0700) < 0 && errno != EEXIST) {
    bd_fail(err, errno, "mkdir the layer's work");
  } else if ((upper_fd = openat(disk_fd, "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
             (work_fd = openat(disk_fd, "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
    bd_fail(err, errno, "open the layer's directories");
  } else if (fresh && (fchown(upper_fd, st.st_uid, st.st_gid) < 0 || fchmod(upper_fd, st.st_mode & 07777) < 0)) {
    bd_fail(err, errno, "chown the layer's upper");
  } else if (overlay_options(lower_fds, nlowers, upper_fd, work_fd, data, sizeof data, err) == 0) {
    if (mount("overlay", root_dir, "overlay", 0, data) < 0) bd_fail(err, errno, "mount the overlay of %s", lowers[0]);
    else rc = 0;
  }
out:
  if (work_fd >= 0) close(work_fd);
  if (upper_fd >= 0) close(upper_fd);
  if (disk_fd >= 0) close(disk_fd);
  for (size_t i = 0; i < opened; i++) close(lower_fds[i]);
  return rc;
}
