/* The user a container's command runs as (-u): UID[:GID] or NAME[:GROUP],
 * names looked up in the container's own /etc/passwd and /etc/group. */
#ifndef BD_USER_H
#define BD_USER_H

#include "utils.h"

/* Become `spec`'s user and group, with the groups /etc/group lists it in.
 * Called inside the container (after pivot_root), so the files read are the
 * container's; they are parsed as plain files, never through NSS, which
 * would load the container's libraries into this process. A numeric UID
 * needs no passwd entry (its group is then 0, as in Docker). */
int become_user(const char *spec, struct bd_error *err);

#endif
