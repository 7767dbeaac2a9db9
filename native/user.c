#define _GNU_SOURCE
#include "user.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_GROUPS 64

/* A decimal id, or -1 when `s` is not one. */
static long long parse_id(const char *s) {
  if (!*s) return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || s[0] == '-' || v >= UINT_MAX) return -1;
  return (long long)v;
}

/* The container's `path` as a stream, or NULL (errno set) when absent or
 * no regular file: a FIFO put there must not hang the container's start. */
static FILE *open_database(const char *path) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    errno = EINVAL;
    return NULL;
  }
  FILE *f = fdopen(fd, "re");
  if (!f) close(fd);
  return f;
}

/* Look a user up by name or UID: 1 found (uid, gid, name filled), 0 not. */
static int find_user(const char *key, long long id, uid_t *uid, gid_t *gid, char *name, size_t name_len) {
  FILE *f = open_database("/etc/passwd");
  if (!f) return 0;
  struct passwd *pw;
  int found = 0;
  while (!found && (pw = fgetpwent(f)))
    if (id >= 0 ? pw->pw_uid == (uid_t)id : strcmp(pw->pw_name, key) == 0) {
      *uid = pw->pw_uid;
      *gid = pw->pw_gid;
      snprintf(name, name_len, "%s", pw->pw_name);
      found = 1;
    }
  fclose(f);
  return found;
}

/* A group's id by name: 1 found, 0 not. */
static int find_group(const char *name, gid_t *gid) {
  FILE *f = open_database("/etc/group");
  if (!f) return 0;
  struct group *gr;
  int found = 0;
  while (!found && (gr = fgetgrent(f)))
    if (strcmp(gr->gr_name, name) == 0) {
      *gid = gr->gr_gid;
      found = 1;
    }
  fclose(f);
  return found;
}

/* The groups /etc/group lists `user` in, after `primary`: how many. */
static int member_groups(const char *user, gid_t primary, gid_t *groups) {
  int n = 0;
  groups[n++] = primary;
  FILE *f = user[0] ? open_database("/etc/group") : NULL;
  if (!f) return n;
  struct group *gr;
  while (n < MAX_GROUPS && (gr = fgetgrent(f)))
    for (char **member = gr->gr_mem; *member; member++)
      if (strcmp(*member, user) == 0 && gr->gr_gid != primary) {
        groups[n++] = gr->gr_gid;
        break;
      }
  fclose(f);
  return n;
}

int become_user(const char *spec, struct bd_error *err) {
  char user[256], name[256] = "";
  const char *colon = strchr(spec, ':');
  size_t user_len = colon ? (size_t)(colon - spec) : strlen(spec);
  if (user_len == 0 || user_len >= sizeof user) return bd_fail(err, 0, "invalid user \"%s\": give NAME or UID, then :GROUP or :GID if you like", spec);
  memcpy(user, spec, user_len);
  user[user_len] = '\0';
  long long id = parse_id(user);
  uid_t uid = (uid_t)id;
  gid_t gid = 0;
  if (!find_user(user, id, &uid, &gid, name, sizeof name) && id < 0)
    return bd_fail(err, 0, "no user \"%s\" in the container's /etc/passwd: give a UID, or a user it lists", user);
  if (colon) {
    long long group = parse_id(colon + 1);
    if (group >= 0) gid = (gid_t)group;
    else if (!find_group(colon + 1, &gid))
      return bd_fail(err, 0, "no group \"%s\" in the container's /etc/group: give a GID, or a group it lists", colon + 1);
  }
  gid_t groups[MAX_GROUPS];
  int n = member_groups(name, gid, groups);
  if (setgroups((size_t)n, groups) < 0) return bd_fail(err, errno, "setgroups for user %s", spec);
  if (setgid(gid) < 0) return bd_fail(err, errno, "setgid %u for user %s", (unsigned)gid, spec);
  if (setuid(uid) < 0) return bd_fail(err, errno, "setuid %u for user %s", (unsigned)uid, spec);
  return 0;
}
