/* The container's controlling terminal. */
#ifndef BD_TERMINAL_H
#define BD_TERMINAL_H

#include <sys/types.h>

#include "utils.h"

/* Make the terminal on `fd` the controlling terminal of this (new) session.
 * node-pty made the shim the session leader owning it, so it is taken over
 * (TIOCSCTTY with 1, allowed while CAP_SYS_ADMIN is still held). */
int take_controlling_terminal(int fd, struct bd_error *err);

/* Put process group `pgrp` in the foreground of the terminal on `fd`. */
int set_foreground(int fd, pid_t pgrp, struct bd_error *err);

#endif
