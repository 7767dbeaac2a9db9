/* The run's writable layer: an ext4 filesystem in a file of its own (a copy
 * of a freshly made template, or a layer a kept run left), on a loop device,
 * as the upper layer of an overlay whose lower layer is the rootfs. The file
 * bounds what a container can write (ENOSPC when full, never a full host
 * disk), a fresh one each run means no run sees another's writes, and the
 * rootfs directory is never written to. Unless kept, the file has no name:
 * it goes when the container's mount namespace does, however the run ends. */
#ifndef BD_LAYER_H
#define BD_LAYER_H

#include <stddef.h>

#include "utils.h"

struct layer {
  int image_fd; /* the layer's file, locked (flock) for the run */
  int loop_fd;  /* its loop device, detached on its last close once unmounted */
  char dev[32]; /* /dev/loopN */
};

/* Attach a layer: with `template`, a fresh copy of it (linked at `keep`, if
 * given, to outlive the run); otherwise the existing layer file `reuse`,
 * which a running container must not be using. */
int layer_attach(const char *template, const char *keep, const char *reuse, struct layer *l, struct bd_error *err);

/* Attach the kept layer file `path` read-only (a read-only loop device), to
 * read what a run left: refused while a running container uses it, and no run
 * can take it until layer_release. */
int layer_attach_readonly(const char *path, struct layer *l, struct bd_error *err);

/* Close what layer_attach opened; the loop device goes once nothing mounts it. */
void layer_release(struct layer *l);

/* The most lower layers an overlay gets here: an image's layers (Docker's limit is 125). */
#define MAX_LOWERS 128

/* In the container's own (private) mount namespace: mount the layer's
 * filesystem on `disk_dir` and, on `root_dir`, the overlay of it over
 * `lowers` (read-only directories, the topmost first). */
int layer_mount(const char *dev, const char *const *lowers, size_t nlowers, const char *disk_dir, const char *root_dir, struct bd_error *err);

#endif
