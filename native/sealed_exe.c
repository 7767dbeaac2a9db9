#define _GNU_SOURCE
#include "sealed_exe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define ALL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static int copy_all(int from, int to, const char *path, struct bd_error *err) {
  struct stat st;
  if (fstat(from, &st) < 0) return bd_fail(err, errno, "stat %s", path);
  for (off_t left = st.st_size; left > 0;) {
    ssize_t n = sendfile(to, from, NULL, (size_t)left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return bd_fail(err, n < 0 ? errno : EIO, "copy %s into a memfd", path);
    left -= n;
  }
  return 0;
}

int sealed_copy(const char *path, struct bd_error *err) {
  int from = open(path, O_RDONLY | O_CLOEXEC);
  if (from < 0) return bd_fail(err, errno, "open %s", path);
  /* MFD_EXEC: under vm.memfd_noexec a memfd is otherwise not executable;
   * kernels before 6.3 do not know the flag. */
  int copy = memfd_create("baby-docker-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (copy < 0 && errno == EINVAL) copy = memfd_create("baby-docker-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (copy < 0) {
    bd_fail(err, errno, "memfd_create for a sealed copy of %s", path);
  } else if (copy_all(from, copy, path, err) < 0) {
    close(copy);
    copy = -1;
  } else if (fcntl(copy, F_ADD_SEALS, ALL_SEALS) < 0) {
    bd_fail(err, errno, "seal the copy of %s", path);
    close(copy);
    copy = -1;
  }
  close(from);
  return copy;
}

int run_from_sealed_copy(char **argv, struct bd_error *err) {
  int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (self < 0) return bd_fail(err, errno, "open /proc/self/exe");
  int seals = fcntl(self, F_GET_SEALS);
  close(self);
  if (seals >= 0 && (seals & ALL_SEALS) == ALL_SEALS) return 0;
  int copy = sealed_copy("/proc/self/exe", err);
  if (copy < 0) return -1;
  fexecve(copy, argv, environ);
  bd_fail(err, errno, "exec the shim's sealed copy%s", errno == EACCES ? " (does vm.memfd_noexec forbid executable memfds?)" : "");
  close(copy);
  return -1;
}
