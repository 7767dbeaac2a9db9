/* A pty master served on a thread of its own, for the UI: the container's
 * console, handed over by its shim (as runc's console socket does), so that
 * output comes straight from the container's pty, with no relay between.
 *
 * A pty master hands its reader at most a few KiB a read, so a flood is a long
 * run of small reads. Here they are plain read(2) calls on a thread that does
 * nothing else: they go on whatever the process's JavaScript is doing, at no
 * cost per read beyond the syscall, and the output waits in one buffer until
 * it is taken, in as few batches as the taker likes. What is typed waits in a
 * queue the same thread writes out, so a program that reads no input never
 * blocks the UI. */
#ifndef BD_PTY_MASTER_H
#define BD_PTY_MASTER_H

#include <stddef.h>

#include "utils.h"

struct pty_master;

/* Called on the thread once output (or the end) waits and none was
 * announced since the last take. `last` is set on the final call, made once
 * the pty has ended: no call follows it. */
typedef void (*pty_master_notify)(void *ctx, int last);

/* The channel a shim hands the console over on (its --console-fd): a
 * SOCK_SEQPACKET pair, close-on-exec, ours non-blocking first. */
int pty_master_channel(int pair[2], struct bd_error *err);

/* The console the shim has sent on our end of the channel: a pty master
 * (checked), or -1 when none waits there. */
int pty_master_receive(int sock, struct bd_error *err);

/* Serve the master `fd` (non-blocking), which is the thread's from now on:
 * it is closed at the end, or here on failure. Reading stops while
 * `high_water` bytes wait untaken, or while paused. */
int pty_master_start(int fd, size_t high_water, pty_master_notify notify, void *ctx, struct pty_master **out, struct bd_error *err);

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

int pty_master_take(struct pty_master *master, struct pty_output *out, struct bd_error *err);

/* Queue `data` to be typed into the pty; dropped once it has ended. */
int pty_master_write(struct pty_master *master, const char *data, size_t length, struct bd_error *err);

/* Set the pty's size: the kernel sends SIGWINCH to its foreground job. */
int pty_master_resize(struct pty_master *master, unsigned short cols, unsigned short rows, struct bd_error *err);

/* Stop reading (the program blocks once the pty is full) or go on. */
void pty_master_pause(struct pty_master *master, int paused);

/* The program has ended: what it left is read, and the pty ends at the first
 * quiet spell, even if a background job still holds it open. */
void pty_master_finish(struct pty_master *master);

/* Only once the end has been taken: waits for the thread, frees everything. */
void pty_master_free(struct pty_master *master);

#endif
