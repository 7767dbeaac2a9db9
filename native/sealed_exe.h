/* Sealed copies of the shim (CVE-2019-5736).
 *
 * Whatever the runtime starts inside a container is the shim until it execs
 * the container's command, and a command like "#!/proc/self/exe" runs the
 * shim there again, dumpable. A process of the container can then open its
 * /proc/PID/exe and, once the runtime has exited, write through it: were that
 * the binary on the host's disk, the next run would execute the attacker's
 * code as host root. So the shim only ever runs from a memfd copy sealed
 * against every change, which nobody can write, and the file on disk never
 * enters a container (runc and crun do the same).
 *
 * The copy is made once per runtime process (the addon: the CLI or the TUI
 * execs every shim from it), or by the shim itself when it was started from
 * the file, at the cost of one more exec. */
#ifndef BD_SEALED_EXE_H
#define BD_SEALED_EXE_H

#include "utils.h"

/* A close-on-exec memfd holding a copy of the file at `path`, executable and
 * sealed against writes, growing, shrinking and new seals. */
int sealed_copy(const char *path, struct bd_error *err);

/* Returns 0 when this process runs from a sealed copy; otherwise makes one
 * and execs it with the same arguments and environment (does not return),
 * or returns -1 with err. */
int run_from_sealed_copy(char **argv, struct bd_error *err);

#endif
