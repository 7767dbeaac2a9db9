/* Reads a pty master on a thread of its own, for the UI and the CLI.
 *
 * A pty master hands its reader at most a few KiB a read, so a flood is a long
 * run of small reads. Here they are plain read(2) calls on a thread that does
 * nothing else: they go on whatever the process's JavaScript is doing, at no
 * cost per read beyond the syscall, and the output waits in one buffer until
 * it is taken, in as few batches as the taker likes. */
#ifndef BD_PTY_READER_H
#define BD_PTY_READER_H

#include <stddef.h>

#include "utils.h"

struct pty_reader;

/* Called on the reader thread once output (or the end) waits and none was
 * announced since the last take. `last` is set on the final call, made once
 * the pty has ended: no call follows it. */
typedef void (*pty_reader_notify)(void *ctx, int last);

/* Start reading a duplicate of `fd` (the caller keeps its own). Reading stops
 * while `high_water` bytes wait untaken, or while paused. */
int pty_reader_start(int fd, size_t high_water, pty_reader_notify notify, void *ctx, struct pty_reader **out, struct bd_error *err);

/* What was taken: `data` (malloc'd, the caller frees it; NULL when length is
 * 0) ends on a whole UTF-8 character unless `ended`. `ended` is set once the
 * pty has ended and all its output has been taken; `error` then says why
 * reading stopped, when it was not the pty's end ("" otherwise). */
struct pty_output {
  char *data;
  size_t length;
  int ended;
  char error[BD_ERR_LEN];
};

int pty_reader_take(struct pty_reader *reader, struct pty_output *out, struct bd_error *err);

/* Stop reading (the program blocks once the pty is full) or go on. */
void pty_reader_pause(struct pty_reader *reader, int paused);

/* Only once the end has been taken: waits for the thread, frees everything. */
void pty_reader_free(struct pty_reader *reader);

#endif
