/* The container's stdio in pipe mode: three pipes the shim owns, relayed to
 * and from the shim's own fds 0-2. The container never gets
 * its caller's files: through /proc/self/fd it could reopen one it was only
 * given to read (`echo x > /proc/self/fd/0` would overwrite the host file
 * behind `< file`), and a terminal of the host would take its ioctls. One
 * thread relays all three. */
#ifndef BD_RELAY_H
#define BD_RELAY_H

#include <pthread.h>

#include "utils.h"

struct relay {
  int container[3]; /* its ends: stdin's read end, stdout's and stderr's write ends */
  int ours[3];      /* the other ends, owned by the relaying thread once it runs */
  pthread_t thread;
  int running;
};

/* Make the pipes (close-on-exec, -1 everywhere on failure). */
int relay_open(struct relay *r, struct bd_error *err);

/* Start relaying. Before the container's namespaces are made: a process
 * that has unshared its PID namespace cannot start threads (EINVAL). */
int relay_start(struct relay *r, struct bd_error *err);

/* Once the container holds its ends: close our copies of them. */
void relay_handed_over(struct relay *r);

/* Wait until the container's stdout and stderr have been relayed to their
 * end (all writers gone), then close what is still open. */
void relay_finish(struct relay *r);

#endif
