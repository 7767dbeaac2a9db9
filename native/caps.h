/* Capabilities and no_new_privs: what root inside the container may still do. */
#ifndef BD_CAPS_H
#define BD_CAPS_H

#include <stdint.h>

#include "utils.h"

#define CAP_BIT(cap) (UINT64_C(1) << (cap))

/* Keep only the capabilities in `keep` (bit n = capability n): drop the rest
 * from the bounding set, clear the ambient set, set permitted and effective
 * to `keep` and inheritable to nothing (CVE-2022-29162); then set
 * PR_SET_NO_NEW_PRIVS so no exec can gain more. */
int caps_restrict(uint64_t keep, struct bd_error *err);

/* A capability's number from its name ("CAP_CHOWN" or "CHOWN"); -1 when unknown. */
int caps_from_name(const char *name);

/* Drop from the bounding set every capability not in `keep`. */
int caps_limit_bounding(uint64_t keep, struct bd_error *err);

/* Set the process's capability sets; of `ambient`, what is inheritable and permitted. */
int caps_set(uint64_t effective, uint64_t permitted, uint64_t inheritable, uint64_t ambient, struct bd_error *err);

#endif
