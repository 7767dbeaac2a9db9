/* The container's controlling terminal. */
#ifndef BD_TERMINAL_H
#define BD_TERMINAL_H

#include <sys/types.h>

#include "utils.h"

/* Make the terminal on `fd` (a new pty's slave) the controlling terminal of
 * this new session. */
int take_controlling_terminal(int fd, struct bd_error *err);

/* Put process group `pgrp` in the foreground of the terminal on `fd`. */
int set_foreground(int fd, pid_t pgrp, struct bd_error *err);

#endif
