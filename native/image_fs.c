#define _GNU_SOURCE
#include "image_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Open the directory that holds root/rel, walking down from root with
 * O_NOFOLLOW (making missing directories), and point *name at rel's last
 * component inside buf ("" for the root itself). Returns the directory's fd. */
static int open_parent(const char *root, const char *rel, char *buf, size_t len, const char **name, struct bd_error *err) {
  if ((size_t)snprintf(buf, len, "%s", rel) >= len) return bd_fail(err, ENAMETOOLONG, "layer path %s", rel);
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return bd_fail(err, errno, "open %s", root);
  char *component = buf;
  *name = "";
  while (*component) {
    char *slash = strchr(component, '/');
    if (slash == component) {
      component++;
      continue;
    }
    if (slash) *slash = '\0';
    if (strcmp(component, ".") == 0 || strcmp(component, "..") == 0) {
      close(fd);
      return bd_fail(err, EINVAL, "layer path %s has a \"%s\" component", rel, component);
    }
    if (!slash) {
      *name = component;
      break;
    }
    int next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0 && errno == ENOENT) {
      if (mkdirat(fd, component, 0755) < 0 && errno != EEXIST) {
        bd_fail(err, errno, "mkdir the parents of %s", rel);
        close(fd);
        return -1;
      }
      next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (next < 0) {
      /* ELOOP or ENOTDIR: a symlink or a file where the path wants a directory. */
      bd_fail(err, errno, "open the directories of %s (never through a symlink)", rel);
      close(fd);
      return -1;
    }
    close(fd);
    fd = next;
    component = slash + 1;
  }
  return fd;
}

/* Make room for a new entry `name` in dir: remove what is there, but keep a
 * directory when keep_dir. Returns 1 when a directory was kept, 0, or -1. */
static int clear_entry(int dir, const char *name, const char *rel, int keep_dir, struct bd_error *err) {
  struct stat st;
  if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return 0;
    return bd_fail(err, errno, "stat %s", rel);
  }
  if (S_ISDIR(st.st_mode) && keep_dir) return 1;
  if (unlinkat(dir, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0) return bd_fail(err, errno, "replace %s", rel);
  return 0;
}

int image_open_file(const char *root, const char *rel, struct bd_error *err) {
  char buf[PATH_MAX];
  const char *name;
  int dir = open_parent(root, rel, buf, sizeof buf, &name, err), fd = -1;
  if (dir < 0) return -1;
  if (!*name) bd_fail(err, EISDIR, "a file entry for the layer's root");
  else if (clear_entry(dir, name, rel, 0, err) < 0)
    ;
  else if ((fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) bd_fail(err, errno, "create %s", rel);
  close(dir);
  return fd;
}

static int make_dir(int dir, const char *name, const char *rel, const struct image_entry *e, const struct timespec *times, struct bd_error *err) {
  int kept = *name ? clear_entry(dir, name, rel, 1, err) : 1;
  if (kept < 0) return -1;
  if (!kept && mkdirat(dir, name, 0700) < 0) return bd_fail(err, errno, "mkdir %s", rel);
  int fd = *name ? openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : dup(dir);
  if (fd < 0) return bd_fail(err, errno, "open %s", rel);
  int rc = -1;
  if (fchown(fd, e->uid, e->gid) < 0) bd_fail(err, errno, "chown %s", rel);
  else if (fchmod(fd, e->mode) < 0) bd_fail(err, errno, "chmod %s", rel);
  else if (futimens(fd, times) < 0) bd_fail(err, errno, "set the times of %s", rel);
  else rc = 0;
  close(fd);
  return rc;
}

/* Owner, mode (not for a symlink: it has none) and times of the new entry dir/name. */
static int set_attributes(int dir, const char *name, const char *rel, const struct image_entry *e, const struct timespec *times,
                          struct bd_error *err) {
  if (fchownat(dir, name, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0) return bd_fail(err, errno, "chown %s", rel);
  if (e->type != IMAGE_SYMLINK && fchmodat(dir, name, e->mode, AT_SYMLINK_NOFOLLOW) < 0) return bd_fail(err, errno, "chmod %s", rel);
  if (utimensat(dir, name, times, AT_SYMLINK_NOFOLLOW) < 0) return bd_fail(err, errno, "set the times of %s", rel);
  return 0;
}

static int make_in(int dir, const char *name, const char *root, const char *rel, const struct image_entry *e, struct bd_error *err) {
  struct timespec times[2] = {{e->mtime_sec, e->mtime_nsec}, {e->mtime_sec, e->mtime_nsec}};
  if (e->type == IMAGE_DIR) return make_dir(dir, name, rel, e, times, err);
  if (!*name) return bd_fail(err, EISDIR, "a non-directory entry for the layer's root");
  if (clear_entry(dir, name, rel, 0, err) < 0) return -1;
  switch (e->type) {
    case IMAGE_SYMLINK:
      if (symlinkat(e->target, dir, name) < 0) return bd_fail(err, errno, "symlink %s", rel);
      break;
    case IMAGE_HARDLINK: {
      /* The target is looked up the same way, inside the layer; linkat without
       * AT_SYMLINK_FOLLOW links a symlink itself, never what it points to. */
      char buf[PATH_MAX];
      const char *target_name;
      int target_dir = open_parent(root, e->target, buf, sizeof buf, &target_name, err);
      if (target_dir < 0) return -1;
      int rc = linkat(target_dir, target_name, dir, name, 0);
      int saved = errno;
      close(target_dir);
      if (rc < 0) return bd_fail(err, saved, "hardlink %s to %s", rel, e->target);
      return 0; /* the inode keeps the target's owner, mode and times */
    }
    case IMAGE_CHAR:
    case IMAGE_BLOCK:
    case IMAGE_FIFO: {
      mode_t type = e->type == IMAGE_CHAR ? S_IFCHR : e->type == IMAGE_BLOCK ? S_IFBLK : S_IFIFO;
      if (mknodat(dir, name, type | 0600, makedev(e->major, e->minor)) < 0) return bd_fail(err, errno, "mknod %s", rel);
      break;
    }
    default:
      return bd_fail(err, EINVAL, "entry type %d of %s", (int)e->type, rel);
  }
  return set_attributes(dir, name, rel, e, times, err);
}

int image_make(const char *root, const char *rel, const struct image_entry *entry, struct bd_error *err) {
  char buf[PATH_MAX];
  const char *name;
  int dir = open_parent(root, rel, buf, sizeof buf, &name, err);
  if (dir < 0) return -1;
  int rc = make_in(dir, name, root, rel, entry, err);
  close(dir);
  return rc;
}

int image_set_opaque(const char *root, const char *rel, struct bd_error *err) {
  char buf[PATH_MAX];
  const char *name;
  int dir = open_parent(root, rel, buf, sizeof buf, &name, err);
  if (dir < 0) return -1;
  int fd = *name ? openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : dup(dir), rc = -1;
  if (fd < 0 && errno == ENOENT && mkdirat(dir, name, 0755) == 0) fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) bd_fail(err, errno, "open the opaque directory %s", rel);
  else if (fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0) bd_fail(err, errno, "setxattr trusted.overlay.opaque on %s", rel);
  else rc = 0;
  if (fd >= 0) close(fd);
  close(dir);
  return rc;
}

int image_set_mtime(const char *root, const char *rel, int64_t sec, long nsec, struct bd_error *err) {
  char buf[PATH_MAX];
  const char *name;
  int dir = open_parent(root, rel, buf, sizeof buf, &name, err), rc = 0;
  if (dir < 0) return -1;
  struct timespec times[2] = {{sec, nsec}, {sec, nsec}};
  if ((*name ? utimensat(dir, name, times, AT_SYMLINK_NOFOLLOW) : futimens(dir, times)) < 0) rc = bd_fail(err, errno, "set the times of %s", rel);
  close(dir);
  return rc;
}
