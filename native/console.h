/* A container's terminal: a pty of the container's own devpts, so that
 * `tty` inside names it (/dev/pts/N) as on any machine. Only the pty's
 * master leaves the container, for the caller to serve (see shim.c). */
#ifndef BD_CONSOLE_H
#define BD_CONSOLE_H

#include <sys/ioctl.h>

#include "utils.h"

/* In the container's mount namespace: a new pty of its devpts, of `size`
 * (NULL or 0x0: the kernel's default). Returns the master (non-blocking)
 * and puts the slave, for the command, in *slave; or -1. */
int console_open(int *slave, const struct winsize *size, struct bd_error *err);

#endif
