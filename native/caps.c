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
  if (read_file(NULL, "/proc/sys/kernel/cap_last_cap", buf, sizeof buf, &ignored) < 0 || sscanf(buf, "%d", &n) != 1)
    return CAP_LAST_CAP;
  return n;
}

int caps_restrict(uint64_t keep, struct bd_error *err) {
  int last = last_cap();
  for (int cap = 0; cap <= last; cap++) {
    if (cap < 64 && (keep & CAP_BIT(cap))) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      return bd_fail(err, errno, "drop capability %d from the bounding set", cap);
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return bd_fail(err, errno, "clear ambient capabilities");
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  for (int word = 0; word < 2; word++) {
    data[word].permitted = (uint32_t)(keep >> (32 * word));
    data[word].effective = data[word].permitted;
  }
  if (syscall(SYS_capset, &header, data) < 0) return bd_fail(err, errno, "capset");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return bd_fail(err, errno, "set no_new_privs");
  return 0;
}
