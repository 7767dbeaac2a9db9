/* What overlayfs noted, in xattrs, on an entry of a run's upper layer: an
 * opaque directory (it hides the lower one), a redirected directory (a
 * rename of a lower one) or a metadata-only copy (its data still below). */
#ifndef BD_OVERLAY_ATTR_H
#define BD_OVERLAY_ATTR_H

#include "utils.h"

enum {
  OVERLAY_OPAQUE = 1,
  OVERLAY_REDIRECT = 2,
  OVERLAY_METACOPY = 4,
};

/* The OVERLAY_* marks of `path`, never following it if it is a symlink; -1 on error. */
int overlay_attrs(const char *path, struct bd_error *err);

#endif
