/* The tiny init of --init: PID 1 that forwards signals and reaps zombies. */
#ifndef BD_INIT_H
#define BD_INIT_H

#include "container.h"

/* Fork the command under us, forward every signal to it and reap every
 * child; exit with the command's status. Never returns. */
void run_init(const struct container_config *c, int sync_fd) __attribute__((noreturn));

#endif
