#define _GNU_SOURCE
#include "caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The highest capability this kernel knows; newer ones than our headers too. */
static int last_cap(void) {
  char buf[16];
  struct bd_error ignored;
  int n;
  if (read_file(NULL, "/proc/sys/kernel/cap_last_cap", buf, sizeof buf, &ignored) < 0 || sscanf(buf, "%d", &n) != 1) return CAP_LAST_CAP;
  return n;
}

/* The kernel's names, without CAP_, by number. */
static const char *const NAMES[] = {
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
};

int caps_from_name(const char *name) {
  if (strncmp(name, "CAP_", 4) == 0) name += 4;
  for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
    if (strcmp(NAMES[i], name) == 0) return (int)i;
  return -1;
}

int caps_limit_bounding(uint64_t keep, struct bd_error *err) {
  int last = last_cap();
  for (int cap = 0; cap <= last; cap++) {
    if (cap < 64 && (keep & CAP_BIT(cap))) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return bd_fail(err, errno, "drop capability %d from the bounding set", cap);
  }
  return 0;
}

int caps_set(uint64_t effective, uint64_t permitted, uint64_t inheritable, uint64_t ambient, struct bd_error *err) {
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  for (int word = 0; word < 2; word++) {
    data[word].effective = (uint32_t)(effective >> (32 * word));
    data[word].permitted = (uint32_t)(permitted >> (32 * word));
    data[word].inheritable = (uint32_t)(inheritable >> (32 * word));
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) return bd_fail(err, errno, "clear ambient capabilities");
  if (syscall(SYS_capset, &header, data) < 0) return bd_fail(err, errno, "capset");
  /* The kernel raises an ambient capability only when it is inheritable and
   * permitted: the others are left out, as runc leaves them. */
  for (int cap = 0; cap < 64; cap++)
    if ((ambient & inheritable & permitted & CAP_BIT(cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      return bd_fail(err, errno, "raise ambient capability %s", cap < (int)(sizeof NAMES / sizeof NAMES[0]) ? NAMES[cap] : "?");
  return 0;
}

int caps_restrict(uint64_t keep, struct bd_error *err) {
  if (caps_limit_bounding(keep, err) < 0 || caps_set(keep, keep, 0, 0, err) < 0) return -1;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return bd_fail(err, errno, "set no_new_privs");
  return 0;
}
