#define _GNU_SOURCE
#include "user.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_GROUPS 64
/* The container's passwd and group files are read whole, up to this. */
#define DATABASE_MAX 65536

/* The child that calls this was cloned from a shim with a thread running:
 * a lock that thread held (malloc's, stdio's) stays held here for good, and
 * glibc still counts that thread. So nothing here allocates (the files are
 * read into a buffer and split in place) or uses glibc's set*id. */
struct database {
  char data[DATABASE_MAX];
  size_t len, pos;
};

/* A decimal id, or -1 when `s` is not one. */
static long long parse_id(const char *s) {
  if (!*s) return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || s[0] == '-' || v >= UINT_MAX) return -1;
  return (long long)v;
}

/* Read the container's `path` whole; 0 when it is absent, no regular file (a
 * FIFO put there must not hang the start) or too big: then it has no entries. */
static int open_database(const char *path, struct database *db) {
  db->len = db->pos = 0;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return 0;
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size >= DATABASE_MAX) {
    close(fd);
    return 0;
  }
  ssize_t n;
  while (db->len < DATABASE_MAX - 1 && (n = read(fd, db->data + db->len, DATABASE_MAX - 1 - db->len)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    db->len += (size_t)n;
  }
  close(fd);
  db->data[db->len] = '\0';
  return 1;
}

/* The next line's first `max` colon-separated fields, NUL-terminated in
 * place: how many it has, or -1 at the end. */
static int next_entry(struct database *db, char **fields, int max) {
  if (db->pos >= db->len) return -1;
  char *line = db->data + db->pos, *end = strchr(line, '\n');
  if (end) *end = '\0';
  db->pos += strlen(line) + 1;
  int n = 0;
  for (char *field = line; n < max; n++) {
    fields[n] = field;
    char *colon = strchr(field, ':');
    if (!colon) return n + 1;
    *colon = '\0';
    field = colon + 1;
  }
  return n;
}

/* Look a user up by name or UID in the container's /etc/passwd: 1 found, 0
 * not, -1 (err filled) when its name does not fit in name[name_len]. */
static int find_user(const char *key, long long id, uid_t *uid, gid_t *gid, char *name, size_t name_len, struct bd_error *err) {
  struct database db;
  char *f[4];
  if (!open_database("/etc/passwd", &db)) return 0;
  for (int n; (n = next_entry(&db, f, 4)) >= 0;) {
    if (n < 4) continue;
    long long entry_uid = parse_id(f[2]), entry_gid = parse_id(f[3]);
    if (entry_uid < 0 || entry_gid < 0 || (id >= 0 ? entry_uid != id : strcmp(f[0], key) != 0)) continue;
    *uid = (uid_t)entry_uid;
    *gid = (gid_t)entry_gid;
    return bd_format(name, name_len, err, "%s", f[0]) < 0 ? -1 : 1;
  }
  return 0;
}

/* The primary group (with `group_name`, that group's, into *gid; *found 0
 * when /etc/group has no such group), then the groups /etc/group lists
 * `user` in, into groups[]: how many. One pass over the file. */
static int read_groups(const char *user, const char *group_name, gid_t *gid, gid_t *groups, int *found) {
  struct database db;
  char *f[4] = {NULL, NULL, NULL, NULL};
  gid_t member_of[MAX_GROUPS];
  int members = 0;
  *found = group_name == NULL;
  if (open_database("/etc/group", &db)) {
    for (int n; (n = next_entry(&db, f, 4)) >= 0;) {
      long long entry_gid = n >= 3 ? parse_id(f[2]) : -1;
      if (entry_gid < 0) continue;
      if (group_name && !*found && strcmp(f[0], group_name) == 0) {
        *gid = (gid_t)entry_gid;
        *found = 1;
      }
      for (char *member = n >= 4 && user[0] ? f[3] : NULL, *next; member && members < MAX_GROUPS; member = next) {
        next = strchr(member, ',');
        if (next) *next++ = '\0';
        if (strcmp(member, user) == 0) {
          member_of[members++] = (gid_t)entry_gid;
          break;
        }
      }
    }
  }
  int count = 0;
  groups[count++] = *gid;
  for (int i = 0; i < members && count < MAX_GROUPS; i++)
    if (member_of[i] != *gid) groups[count++] = member_of[i];
  return count;
}

int become_user(const char *spec, struct bd_error *err) {
  char user[256], name[256] = "";
  const char *colon = strchr(spec, ':');
  size_t user_len = colon ? (size_t)(colon - spec) : strlen(spec);
  if (user_len == 0 || user_len >= sizeof user)
    return bd_fail(err, 0, "invalid user \"%s\": give NAME or UID, then :GROUP or :GID if you like", spec);
  memcpy(user, spec, user_len);
  user[user_len] = '\0';
  long long id = parse_id(user);
  uid_t uid = (uid_t)id;
  gid_t gid = 0;
  int known = find_user(user, id, &uid, &gid, name, sizeof name, err);
  if (known < 0) return bd_wrap(err, "the name of user %s in the container's /etc/passwd", user);
  if (!known && id < 0) return bd_fail(err, 0, "no user \"%s\" in the container's /etc/passwd: give a UID, or a user it lists", user);
  const char *group = colon ? colon + 1 : NULL;
  if (group && parse_id(group) >= 0) {
    gid = (gid_t)parse_id(group);
    group = NULL;
  }
  gid_t groups[MAX_GROUPS];
  int found, n = read_groups(name, group, &gid, groups, &found);
  if (!found) return bd_fail(err, 0, "no group \"%s\" in the container's /etc/group: give a GID, or a group it lists", group);
  /* Raw syscalls: glibc's wrappers would signal every thread it believes the
   * process has (the shim's, which this clone does not have) and wait forever. */
  if (syscall(SYS_setgroups, (size_t)n, groups) < 0) return bd_fail(err, errno, "setgroups for user %s", spec);
  if (syscall(SYS_setgid, gid) < 0) return bd_fail(err, errno, "setgid %u for user %s", (unsigned)gid, spec);
  if (syscall(SYS_setuid, uid) < 0) return bd_fail(err, errno, "setuid %u for user %s", (unsigned)uid, spec);
  return 0;
}
