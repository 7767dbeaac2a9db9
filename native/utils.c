#define _GNU_SOURCE
#include "utils.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int bd_fail(struct bd_error *err, int errnum, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  if (errnum != 0 && n >= 0 && (size_t)n < sizeof err->msg) {
    const char *name = strerrorname_np(errnum);
    snprintf(err->msg + n, sizeof err->msg - n, ": %s", name ? name : strerror(errnum));
  }
  err->exit_code = BD_EXIT_RUNTIME;
  err->errnum = errnum;
  return -1;
}

int bd_wrap(struct bd_error *err, const char *fmt, ...) {
  if (err->errnum == 0) return -1;
  char context[BD_ERR_LEN], inner[BD_ERR_LEN];
  memcpy(inner, err->msg, sizeof inner);
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(context, sizeof context, fmt, ap);
  va_end(ap);
  /* A message too long for the buffer keeps its start: the context, which says most. */
  if (n >= 0 && snprintf(err->msg, sizeof err->msg, "%s: %s", context, inner) >= (int)sizeof err->msg) err->msg[sizeof err->msg - 1] = '\0';
  return -1;
}

int bd_format(char *out, size_t len, struct bd_error *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out, len, fmt, ap);
  va_end(ap);
  if (n < 0) return bd_fail(err, errno, "format %s", fmt);
  if ((size_t)n >= len) return bd_fail(err, ENAMETOOLONG, "%.64s...", out);
  return 0;
}

int check_container_id(const char *id, struct bd_error *err) {
  size_t len = strlen(id);
  if (len == 0 || len > 200 || id[0] == '.' || id[0] == '-' || strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != len)
    return bd_fail(err, 0, "invalid container id %s: use letters, digits, _ . and -", id);
  return 0;
}

char *fd_path(char *out, int fd) {
  snprintf(out, PROC_FD_PATH_MAX, "/proc/self/fd/%d", fd);
  return out;
}

static int join_path(char *out, size_t len, const char *dir, const char *file) {
  int n = dir ? snprintf(out, len, "%s/%s", dir, file) : snprintf(out, len, "%s", file);
  if (n < 0 || (size_t)n >= len) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return 0;
}

int write_file(const char *dir, const char *file, const char *value, struct bd_error *err) {
  char path[PATH_MAX];
  if (join_path(path, sizeof path, dir, file) < 0) return bd_fail(err, errno, "write %s/%s", dir ? dir : "", file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return bd_fail(err, errno, "open %s", path);
  size_t len = strlen(value);
  ssize_t n = write(fd, value, len);
  int saved = errno;
  close(fd);
  if (n < 0 || (size_t)n != len) return bd_fail(err, n < 0 ? saved : EIO, "write %s", path);
  return 0;
}

int read_file(const char *dir, const char *file, char *buf, size_t len, struct bd_error *err) {
  char path[PATH_MAX];
  if (join_path(path, sizeof path, dir, file) < 0) return bd_fail(err, errno, "read %s/%s", dir ? dir : "", file);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return bd_fail(err, errno, "open %s", path);
  size_t total = 0;
  while (total + 1 < len) {
    ssize_t n = read(fd, buf + total, len - 1 - total);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      close(fd);
      return bd_fail(err, saved, "read %s", path);
    }
    if (n == 0) break;
    total += (size_t)n;
  }
  close(fd);
  while (total > 0 && buf[total - 1] == '\n') total--;
  buf[total] = '\0';
  return (int)total;
}

int read_u64(const char *dir, const char *file, uint64_t *out, struct bd_error *err) {
  char buf[64];
  if (read_file(dir, file, buf, sizeof buf, err) < 0) return -1;
  if (strcmp(buf, "max") == 0) {
    *out = UINT64_MAX;
    return 0;
  }
  char *end;
  errno = 0;
  unsigned long long v = strtoull(buf, &end, 10);
  if (errno != 0 || end == buf) return bd_fail(err, EINVAL, "parse %s/%s (\"%s\")", dir, file, buf);
  *out = v;
  return 0;
}

int read_keyed_u64(const char *dir, const char *file, const char *key, uint64_t *out, struct bd_error *err) {
  char buf[4096];
  if (read_file(dir, file, buf, sizeof buf, err) < 0) return -1;
  size_t klen = strlen(key);
  *out = 0;
  for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
      *out = strtoull(line + klen + 1, NULL, 10);
      return 0;
    }
  }
  return 0;
}

int mkdir_parents(const char *path, unsigned mode, struct bd_error *err) {
  char buf[PATH_MAX];
  if (join_path(buf, sizeof buf, NULL, path) < 0) return bd_fail(err, errno, "mkdir %s", path);
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      char saved = *p;
      *p = '\0';
      if (mkdir(buf, mode) < 0 && errno != EEXIST) return bd_fail(err, errno, "mkdir %s", buf);
      *p = saved;
      if (saved == '\0') break;
    }
  }
  return 0;
}

/* close_range(from, ~0, flags), or on kernels before 5.11 the same fd by fd
 * from /proc/self/fd. */
static int fds_from(int from, unsigned flags, struct bd_error *err) {
  if (syscall(SYS_close_range, (unsigned)from, ~0U, flags) == 0) return 0;
  DIR *d = opendir("/proc/self/fd");
  if (!d) return bd_fail(err, errno, "opendir /proc/self/fd");
  int self = dirfd(d);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    int fd = atoi(e->d_name);
    if (e->d_name[0] == '.' || fd < from || fd == self) continue;
    if ((flags & CLOSE_RANGE_CLOEXEC ? fcntl(fd, F_SETFD, FD_CLOEXEC) : close(fd)) < 0) {
      int saved = errno;
      closedir(d);
      return bd_fail(err, saved, "%s fd %d", flags & CLOSE_RANGE_CLOEXEC ? "fcntl" : "close", fd);
    }
  }
  closedir(d);
  return 0;
}

int cloexec_from(int from, struct bd_error *err) { return fds_from(from, CLOSE_RANGE_CLOEXEC, err); }

int close_from(int from, struct bd_error *err) { return fds_from(from, 0, err); }

int connect_unix(const char *path, struct bd_error *err) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return bd_fail(err, ENAMETOOLONG, "connect %s", path);
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return bd_fail(err, errno, "socket for %s", path);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int e = errno;
    close(fd);
    return bd_fail(err, e, "connect %s", path);
  }
  return fd;
}

int send_fd(int sock, int fd, struct bd_error *err) {
  char byte = 0, control[CMSG_SPACE(sizeof fd)];
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  memset(control, 0, sizeof control);
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof fd);
  memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == 1 ? 0 : bd_fail(err, errno, "send a file descriptor over the console socket");
}

int recv_fd(int sock, struct bd_error *err) {
  char byte, control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  struct cmsghdr *cmsg = n == 1 ? CMSG_FIRSTHDR(&msg) : NULL;
  if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
    return bd_fail(err, n < 0 ? errno : 0, "receive a file descriptor");
  int fd;
  memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
  return fd;
}

int path_exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}
