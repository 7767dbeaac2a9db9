/* Writing an image layer's files into its directory in the store, entry by
 * entry as the layer's tar lists them, without ever following a symlink: a
 * hostile layer may hold a symlink to / and then a file "through" it. Every
 * path is relative to the layer's root; each of its directories is opened
 * with O_NOFOLLOW from the root down ("." and ".." refused), and the last
 * component is made with the *at() call on that directory. Missing parent
 * directories are made (0755, root's), as tar and Docker do. */
#ifndef BD_IMAGE_FS_H
#define BD_IMAGE_FS_H

#include <stdint.h>
#include <sys/types.h>

#include "utils.h"

enum image_entry_type {
  IMAGE_DIR,
  IMAGE_SYMLINK,
  IMAGE_HARDLINK,
  IMAGE_CHAR,
  IMAGE_BLOCK,
  IMAGE_FIFO,
};

struct image_entry {
  enum image_entry_type type;
  unsigned mode; /* permission bits, setuid/setgid/sticky included */
  uid_t uid;
  gid_t gid;
  int64_t mtime_sec;
  long mtime_nsec;
  const char *target; /* a symlink's text, or a hardlink's path in the layer */
  unsigned major, minor;
};

/* A new regular file at root/rel, opened for writing (mode 0600: the caller
 * sets owner, mode and times on the fd once its data is written, the mode
 * last so that chown does not clear setuid). Whatever was at rel is replaced. */
int image_open_file(const char *root, const char *rel, struct bd_error *err);

/* Make the entry at root/rel with its owner, mode and mtime (a directory
 * that exists is kept and given them; anything else there is replaced).
 * rel "" is the root itself (a directory entry only). */
int image_make(const char *root, const char *rel, const struct image_entry *entry, struct bd_error *err);

/* Mark the directory root/rel opaque for overlayfs (trusted.overlay.opaque=y). */
int image_set_opaque(const char *root, const char *rel, struct bd_error *err);

/* Set the mtime (and atime) of root/rel, not following it if it is a symlink. */
int image_set_mtime(const char *root, const char *rel, int64_t sec, long nsec, struct bd_error *err);

#endif
