/* An exec's terminal: a pty of the container's own devpts, so that `tty`
 * inside names it (/dev/pts/N) as on any machine, relayed by the shim to
 * and from the terminal the shim itself runs on, whose size it follows.
 * Only the pty's master stays with the shim, outside the container. */
#ifndef BD_CONSOLE_H
#define BD_CONSOLE_H

#include "utils.h"

/* In the container's mount namespace: a new pty of its devpts, as big as
 * the terminal on fd `size_from` (-1: the kernel's default size). Returns
 * the master (non-blocking) and puts the slave, for the command, in *slave;
 * or -1. */
int console_open(int *slave, int size_from, struct bd_error *err);

/* Called with each signal the relay receives but SIGWINCH (which resizes
 * the console): returns 1 once the command has ended. */
typedef int (*console_signal_fn)(int sig, void *arg);

/* Relay between fds 0 and 1 (put in raw mode: the console's line discipline
 * is the one that counts) and the console's master, reading the (blocked)
 * signals meanwhile, until on_signal says the command has ended; then
 * deliver the output it left. Returns 0, or -1 with err (the command may
 * still run). */
int console_relay(int master, console_signal_fn on_signal, void *arg, struct bd_error *err);

#endif
