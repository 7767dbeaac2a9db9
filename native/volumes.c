#define _GNU_SOURCE
#include "volumes.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int volume_parse_bind(char *arg, struct volume *v, struct bd_error *err) {
  memset(v, 0, sizeof *v);
  char *target = strchr(arg, ':');
  if (!target) return bd_fail(err, 0, "shim: --bind takes SOURCE:TARGET[:ro]");
  *target++ = '\0';
  char *mode = strchr(target, ':');
  if (mode) {
    *mode++ = '\0';
    if (strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0) return bd_fail(err, 0, "shim: --bind mode %s is not ro or rw", mode);
    v->read_only = strcmp(mode, "ro") == 0;
  }
  v->source = arg;
  v->target = target;
  return 0;
}

int volume_parse_tmpfs(char *arg, struct volume *v, struct bd_error *err) {
  memset(v, 0, sizeof *v);
  char *options = strchr(arg, ':');
  if (options) *options++ = '\0';
  v->target = arg;
  v->options = options ? options : "";
  return 0;
}

/* openat2 with the root at rootfd: symlinks and ".." resolve as they would
 * inside the container, whose / rootfd will be. */
int volume_open_in_root(int rootfd, const char *path, int flags) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (unsigned long long)(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/* An O_PATH fd of `target` inside the root, made if missing: directories on
 * the way, and last a directory, or (for a file volume) an empty file. Each
 * is made in the directory the path so far resolves to inside the root. */
int volume_open_target(int rootfd, const char *target, int want_dir, struct bd_error *err) {
  char path[PATH_MAX];
  if (target[0] != '/' || !target[strspn(target, "/")]) return bd_fail(err, 0, "volume target %s is not an absolute path below /", target);
  if ((size_t)snprintf(path, sizeof path, "%s", target) >= sizeof path) return bd_fail(err, ENAMETOOLONG, "volume target %s", target);
  for (char *p = path;;) {
    p += strspn(p, "/");
    size_t n = strcspn(p, "/");
    int last = !p[n + strspn(p + n, "/")];
    char after = p[n];
    p[n] = '\0'; /* path is now the path so far */
    int fd = volume_open_in_root(rootfd, path, O_PATH);
    if (fd < 0 && errno == ENOENT) {
      char first = *p;
      *p = '\0';
      int parent = volume_open_in_root(rootfd, path, O_PATH | O_DIRECTORY);
      *p = first;
      if (parent < 0) return bd_fail(err, errno, "open %s in the rootfs", path);
      int made = last && !want_dir ? openat(parent, p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644) : mkdirat(parent, p, 0755);
      int e = errno;
      if (made >= 0 && last && !want_dir) close(made);
      close(parent);
      /* Something is there that does not open: a symlink whose target is missing. */
      if (made < 0 && e == EEXIST)
        return bd_fail(err, 0, "volume target %s: %s in the rootfs is a symlink to nothing: make what it names, or choose another path", target,
                       path);
      if (made < 0) return bd_fail(err, e, "make %s in the rootfs", path);
      fd = volume_open_in_root(rootfd, path, O_PATH);
    }
    if (fd < 0) return bd_fail(err, errno, "open %s in the rootfs", path);
    if (last) return fd;
    close(fd);
    p[n] = after;
    p += n;
  }
}

/* An optional file volume goes where the rootfs has its directory and, at
 * its path, a file or nothing: not a directory, not a symlink to nothing. */
static int optional_target_usable(int rootfd, const char *target) {
  char parent[PATH_MAX];
  struct stat st;
  if ((size_t)snprintf(parent, sizeof parent, "%s", target) >= sizeof parent) return 0;
  *strrchr(parent, '/') = '\0';
  int fd = volume_open_in_root(rootfd, parent[0] ? parent : "/", O_PATH | O_DIRECTORY);
  if (fd < 0) return 0;
  close(fd);
  if ((fd = volume_open_in_root(rootfd, target, O_PATH)) >= 0) {
    int file = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    close(fd);
    return file;
  }
  if (errno != ENOENT) return 0;
  fd = volume_open_in_root(rootfd, target, O_PATH | O_NOFOLLOW); /* a symlink, to nothing */
  if (fd >= 0) close(fd);
  return fd < 0;
}

static int bind_volume(int rootfd, const struct volume *v, struct bd_error *err) {
  if (v->optional && !optional_target_usable(rootfd, v->target)) return 0;
  struct stat src_st, dst_st;
  int src = open(v->source, O_PATH | O_CLOEXEC), dst = -1, tree = -1, rc = -1;
  if (src < 0) return bd_fail(err, errno, "open volume source %s", v->source);
  if (fstat(src, &src_st) < 0) {
    bd_fail(err, errno, "stat %s", v->source);
  } else if ((dst = volume_open_target(rootfd, v->target, S_ISDIR(src_st.st_mode), err)) < 0) {
  } else if (fstat(dst, &dst_st) < 0) {
    bd_fail(err, errno, "stat %s in the rootfs", v->target);
  } else if (S_ISDIR(src_st.st_mode) != S_ISDIR(dst_st.st_mode)) {
    bd_fail(err, 0, "volume %s is %sa directory but %s in the rootfs is %s", v->source, S_ISDIR(src_st.st_mode) ? "" : "not ", v->target,
            S_ISDIR(dst_st.st_mode) ? "one" : "not");
  } else if ((tree = (int)syscall(SYS_open_tree, src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE)) < 0) {
    bd_fail(err, errno, "bind %s", v->source);
  } else {
    /* Private, so nothing mounted inside reaches the host; read-only all the way down with :ro. */
    struct mount_attr attr = {.attr_set = v->read_only ? MOUNT_ATTR_RDONLY : 0, .propagation = MS_PRIVATE};
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
      bd_fail(err, errno, "set the mount attributes of %s", v->source);
    else if (syscall(SYS_move_mount, tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      bd_fail(err, errno, "mount %s on %s", v->source, v->target);
    else rc = 0;
  }
  if (tree >= 0) close(tree);
  if (dst >= 0) close(dst);
  close(src);
  return rc;
}

/* Docker's defaults for a tmpfs: nosuid, nodev, noexec (unless "exec"). */
static int tmpfs_volume(int rootfd, const struct volume *v, struct bd_error *err) {
  char options[256], data[256] = "", target[PROC_FD_PATH_MAX];
  unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if ((size_t)snprintf(options, sizeof options, "%s", v->options) >= sizeof options) return bd_fail(err, E2BIG, "tmpfs options %s", v->options);
  size_t len = 0;
  char *save = NULL;
  for (char *o = strtok_r(options, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
    if (strcmp(o, "exec") == 0) flags &= ~MS_NOEXEC;
    else if (strcmp(o, "ro") == 0) flags |= MS_RDONLY;
    else len += (size_t)snprintf(data + len, sizeof data - len, "%s%s", len ? "," : "", o);
    if (len >= sizeof data) return bd_fail(err, E2BIG, "tmpfs options %s", v->options);
  }
  int dst = volume_open_target(rootfd, v->target, 1, err);
  if (dst < 0) return -1;
  int rc = mount("tmpfs", fd_path(target, dst), "tmpfs", flags, data) < 0 ? bd_fail(err, errno, "mount a tmpfs on %s", v->target) : 0;
  close(dst);
  return rc;
}

int mount_volumes(int rootfd, const struct volume *volumes, size_t count, struct bd_error *err) {
  for (size_t i = 0; i < count; i++)
    if ((volumes[i].source ? bind_volume(rootfd, &volumes[i], err) : tmpfs_volume(rootfd, &volumes[i], err)) < 0) return -1;
  return 0;
}
