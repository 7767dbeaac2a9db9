/* Small helpers shared by every native file: error reporting and file I/O. */
#ifndef BD_UTILS_H
#define BD_UTILS_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define BD_ERR_LEN 512

/* The most characters a decimal integer of `type` takes, sign and NUL
 * included (systemd's DECIMAL_STR_MAX): a buffer of this size holds any
 * value of the type, so formatting one into it cannot be cut. */
#define DECIMAL_STR_MAX(type) (2 + (sizeof(type) <= 1 ? 3 : sizeof(type) <= 2 ? 5 : sizeof(type) <= 4 ? 10 : 20))

/* "/proc/self/fd/N" for any int N, and "/proc/N/" followed by a name of at
 * most 16 characters ("stat", "ns/net", "uid_map"). */
#define PROC_FD_PATH_MAX (sizeof "/proc/self/fd/" + DECIMAL_STR_MAX(int))
#define PROC_PID_PATH_MAX (sizeof "/proc//" + DECIMAL_STR_MAX(int) + 16)

/* Exit codes, as Docker uses them. */
enum {
  BD_EXIT_RUNTIME = 125, /* the runtime itself failed */
  BD_EXIT_NOT_EXECUTABLE = 126,
  BD_EXIT_NOT_FOUND = 127,
};

/* An error carried up to the caller: the exit code it maps to and a one-line
 * message naming the failing step and path ("mount /proc: EPERM"). */
struct bd_error {
  int exit_code;
  char msg[BD_ERR_LEN];
  /* The errno of the call that failed; 0 for a message that says itself
   * what is wrong and how to fix it (see bd_wrap). */
  int errnum;
};

/* Fill err with exit code 125 and the formatted message; when errnum is not
 * 0, append ": ENAME". Always returns -1 so callers can `return bd_fail(...)`. */
int bd_fail(struct bd_error *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Put what was being done before the message of a failed call ("set up
 * /proc: mount /proc: EPERM"), keeping its exit code, as the error goes up
 * through the steps that led to the call. A message that says what is wrong
 * and how to fix it (errnum 0) is kept as it is: the context would push the
 * fix off its line. Always returns -1. */
int bd_wrap(struct bd_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* snprintf into out[len], checked: a result that does not fit fails with
 * ENAMETOOLONG and the start of what it would have been, never a cut path. */
int bd_format(char *out, size_t len, struct bd_error *err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Container ids name directories, cgroups and links: letters, digits, and
 * _ . - (not first), at most 200, as runc takes them. */
int check_container_id(const char *id, struct bd_error *err);

/* Put "/proc/self/fd/N" into out, which holds PROC_FD_PATH_MAX (any N fits),
 * and return out: the path by which fd's own file is reached. */
char *fd_path(char *out, int fd);

/* Write value to dir/file (dir may be NULL: file is then a full path). */
int write_file(const char *dir, const char *file, const char *value, struct bd_error *err);

/* Read at most len-1 bytes of dir/file into buf, NUL-terminated, trailing
 * newline stripped. Returns the length or -1. */
int read_file(const char *dir, const char *file, char *buf, size_t len, struct bd_error *err);

/* Read a number from dir/file; "max" reads as UINT64_MAX. */
int read_u64(const char *dir, const char *file, uint64_t *out, struct bd_error *err);

/* Find "key N" in a flat-keyed file such as memory.events; 0 when absent. */
int read_keyed_u64(const char *dir, const char *file, const char *key, uint64_t *out, struct bd_error *err);

/* mkdir -p; existing directories are fine. */
int mkdir_parents(const char *path, unsigned mode, struct bd_error *err);

/* Mark every fd >= from close-on-exec, so that only fds 0-2 reach exec. */
int cloexec_from(int from, struct bd_error *err);

/* Close every fd >= from. */
int close_from(int from, struct bd_error *err);

/* A close-on-exec stream socket connected to the unix socket at path. */
int connect_unix(const char *path, struct bd_error *err);

/* 1 when path exists, 0 when it does not. */
int path_exists(const char *path);

/* Pass `fd` over the unix socket `sock` (SCM_RIGHTS), with one byte of data. */
int send_fd(int sock, int fd, struct bd_error *err);

/* The fd send_fd passed over `sock` (close-on-exec here), or -1. */
int recv_fd(int sock, struct bd_error *err);

/* Scope-bound cleanup, as crun and systemd do it: `_cleanup_close_ int fd =
 * open(...)` is closed, `_cleanup_free_ char *p`, freed, `_cleanup_fclose_
 * FILE *f`, closed, on every return. errno survives the cleanup. Hand a
 * value over (return it) by taking it: `return take_fd(&fd);`. */
static inline void bd_closep(int *fd) {
  if (*fd < 0) return;
  int saved = errno;
  close(*fd);
  errno = saved;
}
static inline void bd_freep(void *p) {
  int saved = errno;
  free(*(void **)p);
  errno = saved;
}
static inline void bd_fclosep(FILE **f) {
  if (!*f) return;
  int saved = errno;
  fclose(*f);
  errno = saved;
}
static inline int take_fd(int *fd) {
  int taken = *fd;
  *fd = -1;
  return taken;
}
#define _cleanup_close_ __attribute__((cleanup(bd_closep)))
#define _cleanup_free_ __attribute__((cleanup(bd_freep)))
#define _cleanup_fclose_ __attribute__((cleanup(bd_fclosep)))

#endif
