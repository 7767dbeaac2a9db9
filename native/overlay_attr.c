#define _GNU_SOURCE
#include "overlay_attr.h"

#include <errno.h>
#include <string.h>
#include <sys/xattr.h>

/* 1 when `path` has the xattr `name` (with `value`, when given), 0 when not, -1 on error. */
static int has_xattr(const char *path, const char *name, const char *value, struct bd_error *err) {
  char buf[16];
  ssize_t n = lgetxattr(path, name, buf, sizeof buf);
  if (n < 0 && errno == ERANGE) return value ? 0 : 1; /* longer than any value we look for */
  if (n < 0) return errno == ENODATA || errno == ENOTSUP ? 0 : bd_fail(err, errno, "getxattr %s on %s", name, path);
  return !value || ((size_t)n == strlen(value) && memcmp(buf, value, (size_t)n) == 0);
}

int overlay_attrs(const char *path, struct bd_error *err) {
  int opaque = has_xattr(path, "trusted.overlay.opaque", "y", err);
  int redirect = opaque < 0 ? -1 : has_xattr(path, "trusted.overlay.redirect", NULL, err);
  int metacopy = redirect < 0 ? -1 : has_xattr(path, "trusted.overlay.metacopy", NULL, err);
  if (metacopy < 0) return -1;
  return (opaque ? OVERLAY_OPAQUE : 0) | (redirect ? OVERLAY_REDIRECT : 0) | (metacopy ? OVERLAY_METACOPY : 0);
}
