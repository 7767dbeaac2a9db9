/* Device rules on cgroup v2: v2 has no devices.allow/devices.deny, only a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup, asked on each
 * mknod, open for read and open for write of a device node (0: EPERM).
 *
 * The program gives the policy v1's devices controller would keep after
 * the same rules were written to devices.allow/devices.deny in order (as
 * oci_cgroup.c does on v1): a rule of type 'a' resets the list (deny: all
 * denied; allow: all allowed; its numbers and access play no part); on a
 * deny-all list an allow adds an exception (merged into one for the same
 * type:major:minor) and a deny takes access off the exception with exactly
 * those numbers; on an allow-all list, the other way round. Then an access
 * is allowed on a deny-all list when one exception covers all of it, and on
 * an allow-all list when no exception covers any of it, as the kernel checks
 * v1's lists. For the lists configs give (deny all, then allows) that is
 * the last matching rule winning, as runc and crun have it. */
#ifndef BD_DEVICE_FILTER_H
#define BD_DEVICE_FILTER_H

#include <linux/bpf.h>
#include <stddef.h>

#include "oci_spec.h"
#include "utils.h"

/* Rules enough for a config's (64), the always-allowed and one per linux.devices. */
#define DEVICE_FILTER_MAX_RULES 256
/* A prologue, at most 8 instructions an exception, and the default. */
#define DEVICE_FILTER_MAX_INSNS (6 + 8 * DEVICE_FILTER_MAX_RULES + 2)

/* The program for `rules`, in order, into `out` (DEVICE_FILTER_MAX_INSNS
 * room): its length, or -1 (a bad access letter, too many rules). No
 * syscall: the policy can be read off the array. */
int device_filter_build(const struct oci_device_rule *rules, size_t nrules, struct bpf_insn *out, struct bd_error *err);

/* Load the program for `rules` and attach it to the cgroup directory `dir`
 * (BPF_F_ALLOW_MULTI, as runc and crun do), then detach the programs that
 * were attached to it before (an update's old one): one of ours is left. */
int device_filter_apply(const char *dir, const struct oci_device_rule *rules, size_t nrules, struct bd_error *err);

#endif
