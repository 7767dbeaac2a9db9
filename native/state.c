#define _GNU_SOURCE
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "network.h"

#define STALE_NEW_SECONDS 60 /* a ".new-" dir older than this lost its creator */

static const char *const state_files[] = {"lock", "cgroup", "pid", "info", "caps", "env", "name", "hostname", "hosts", "resolv.conf", NULL};
static const char *const state_dirs[] = {"layer", "root", NULL};

#define NAMES_DIR STATE_ROOT "/.names"

int state_create(const char *id, struct state *st, struct bd_error *err) {
  char tmp[sizeof st->dir];
  st->lock_fd = -1;
  if (mkdir(STATE_ROOT, 0700) < 0 && errno != EEXIST) return bd_fail(err, errno, "mkdir %s", STATE_ROOT);
  if (bd_format(st->dir, sizeof st->dir, err, "%s/%s", STATE_ROOT, id) < 0 || bd_format(tmp, sizeof tmp, err, "%s/.new-%s", STATE_ROOT, id) < 0)
    return -1;
  if (mkdir(tmp, 0700) < 0) return bd_fail(err, errno, "mkdir %s", tmp);
  int dirfd = open(tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd >= 0) st->lock_fd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (dirfd >= 0) close(dirfd);
  if (st->lock_fd < 0 || flock(st->lock_fd, LOCK_EX) < 0) {
    bd_fail(err, errno, "lock %s/lock", tmp);
    goto fail;
  }
  if (rename(tmp, st->dir) < 0) {
    bd_fail(err, errno, errno == EEXIST || errno == ENOTEMPTY ? "rename %s (a container with this id exists)" : "rename %s", tmp);
    goto fail;
  }
  return 0;
fail:
  memcpy(st->dir, tmp, sizeof tmp);
  state_remove(st);
  if (st->lock_fd >= 0) close(st->lock_fd);
  st->lock_fd = -1;
  return -1;
}

static int write_bytes(const struct state *st, const char *file, const char *data, size_t len, mode_t mode, struct bd_error *err) {
  char path[PATH_MAX];
  if (bd_format(path, sizeof path, err, "%s/%s", st->dir, file) < 0) return -1;
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return bd_fail(err, errno, "open %s", path);
  if (fchmod(fd, mode) < 0) { /* whatever the umask */
    int saved = errno;
    close(fd);
    return bd_fail(err, saved, "chmod %s", path);
  }
  for (size_t off = 0; off < len;) {
    ssize_t n = write(fd, data + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      close(fd);
      return bd_fail(err, saved, "write %s", path);
    }
    off += (size_t)n;
  }
  if (close(fd) < 0) return bd_fail(err, errno, "close %s", path);
  return 0;
}

int state_write(const struct state *st, const char *file, const char *value, struct bd_error *err) {
  return write_bytes(st, file, value, strlen(value), 0600, err);
}

int state_write_readable(const struct state *st, const char *file, const char *value, struct bd_error *err) {
  return write_bytes(st, file, value, strlen(value), 0644, err);
}

int state_mount_dir(const struct state *st, const char *name, char *path, size_t len, struct bd_error *err) {
  if ((size_t)snprintf(path, len, "%s/%s", st->dir, name) >= len) return bd_fail(err, ENAMETOOLONG, "state dir %s", st->dir);
  if (mkdir(path, 0700) < 0) return bd_fail(err, errno, "mkdir %s", path);
  return 0;
}

int state_record_exec(const struct state *st, int hardened, uint64_t caps, char *const *envp, struct bd_error *err) {
  char value[DECIMAL_STR_MAX(unsigned long long) + 1], env[STATE_ENV_LEN];
  size_t len = 0, count = 0;
  if (hardened) snprintf(value, sizeof value, "%llu\n", (unsigned long long)caps);
  else snprintf(value, sizeof value, "none\n");
  if (state_write(st, "caps", value, err) < 0) return -1;
  for (; envp[count]; count++) {
    size_t n = strlen(envp[count]) + 1;
    if (count == STATE_ENV_MAX || len + n >= sizeof env) /* read back through read_file's NUL */
      return bd_fail(err, 0, "the environment is too large (at most %d entries, %d bytes)", STATE_ENV_MAX, STATE_ENV_LEN - 1);
    memcpy(env + len, envp[count], n);
    len += n;
  }
  return write_bytes(st, "env", env, len, 0600, err);
}

int state_record_cgroup(const struct state *st, const struct cgroup *cg, struct bd_error *err) {
  char value[3 * PATH_MAX];
  if (bd_format(value, sizeof value, err, "%d\n%s\n%s\n", cg->version, cg->memory, cg->pids) < 0) return -1;
  return state_write(st, "cgroup", value, err);
}

static void remove_dir_files(const char *dir) {
  char path[PATH_MAX];
  struct bd_error ignored;
  for (const char *const *f = state_files; *f; f++)
    if (bd_format(path, sizeof path, &ignored, "%s/%s", dir, *f) == 0) unlink(path);
  for (const char *const *d = state_dirs; *d; d++)
    if (bd_format(path, sizeof path, &ignored, "%s/%s", dir, *d) == 0) rmdir(path);
  rmdir(dir);
}

void state_remove(const struct state *st) { remove_dir_files(st->dir); }

static int read_cgroup(const char *dir, struct cgroup *cg) {
  char path[PATH_MAX];
  struct bd_error ignored;
  if (bd_format(path, sizeof path, &ignored, "%s/cgroup", dir) < 0) {
    errno = ENAMETOOLONG; /* read_exec reports it */
    return -1;
  }
  FILE *f = fopen(path, "re");
  if (!f) return -1;
  memset(cg, 0, sizeof *cg);
  char line[PATH_MAX];
  int ok = fgets(line, sizeof line, f) && sscanf(line, "%d", &cg->version) == 1 && fgets(cg->memory, sizeof cg->memory, f) &&
           fgets(cg->pids, sizeof cg->pids, f);
  fclose(f);
  cg->memory[strcspn(cg->memory, "\n")] = '\0';
  cg->pids[strcspn(cg->pids, "\n")] = '\0';
  return ok ? 0 : -1;
}

static int read_number(const char *dir, const char *file, unsigned long long *out, struct bd_error *err) {
  char buf[32], *end;
  if (read_file(dir, file, buf, sizeof buf, err) < 0) return -1;
  errno = 0;
  *out = strtoull(buf, &end, 10);
  if (errno || end == buf || *end) return bd_fail(err, 0, "%s/%s holds no number", dir, file);
  return 0;
}

static int read_exec(const char *dir, struct exec_state *x, struct bd_error *err) {
  unsigned long long pid, caps = 0;
  char hardening[32];
  if (read_cgroup(dir, &x->cg) < 0) return bd_fail(err, errno, "read %s/cgroup", dir);
  if (read_number(dir, "pid", &pid, err) < 0) return -1;
  if (read_file(dir, "caps", hardening, sizeof hardening, err) < 0) return -1;
  x->hardened = strcmp(hardening, "none") != 0;
  if (x->hardened && read_number(dir, "caps", &caps, err) < 0) return -1;
  x->pid = (pid_t)pid;
  x->caps = caps;
  int len = read_file(dir, "env", x->env_data, sizeof x->env_data, err);
  if (len < 0) return -1;
  size_t count = 0;
  for (int at = 0; at < len && count < STATE_ENV_MAX; at += (int)strlen(x->env_data + at) + 1) x->env[count++] = x->env_data + at;
  x->env[count] = NULL;
  return 0;
}

int state_read_exec(const char *id, struct exec_state *x, struct bd_error *err) {
  char dir[PATH_MAX];
  memset(x, 0, sizeof *x);
  if (!state_is_live(id)) return bd_fail(err, 0, "container %s has exited", id);
  if (bd_format(dir, sizeof dir, err, "%s/%s", STATE_ROOT, id) < 0) return -1;
  if (read_exec(dir, x, err) == 0) return 0;
  /* Its shim removed the files as we read them. */
  if (!state_is_live(id)) return bd_fail(err, 0, "container %s has exited", id);
  return -1;
}

/* A run is dead when nobody holds its lock. */
static int collect_run(const char *dir, struct bd_error *err) {
  char path[PATH_MAX];
  if (bd_format(path, sizeof path, err, "%s/lock", dir) < 0) return -1;
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    /* A run's directory has its lock from birth (state_create): without one, it is what a removal left. */
    remove_dir_files(dir);
    return 0;
  }
  if (fd < 0) return 0;
  int collected = 0;
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
    struct cgroup cg;
    if (read_cgroup(dir, &cg) < 0 || cgroup_destroy(&cg, err) == 0) {
      remove_dir_files(dir);
      collected = 1;
    } else {
      collected = -1;
    }
  }
  close(fd);
  return collected;
}

/* A name as a file name: no path, no dot file, not empty. */
static int valid_name(const char *name) { return name[0] && name[0] != '.' && !strchr(name, '/') && strlen(name) < 128; }

int state_claim_name(const char *name, const char *id, struct bd_error *err) {
  char path[PATH_MAX], owner[64] = "";
  if (!valid_name(name)) return bd_fail(err, 0, "invalid name \"%s\"", name);
  if (mkdir(STATE_ROOT, 0700) < 0 && errno != EEXIST) return bd_fail(err, errno, "mkdir %s", STATE_ROOT);
  if (bd_format(path, sizeof path, err, "%s/%s", NAMES_DIR, name) < 0) return -1;
  for (;;) {
    if (mkdir(NAMES_DIR, 0700) < 0 && errno != EEXIST) return bd_fail(err, errno, "mkdir %s", NAMES_DIR);
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ENOENT) continue; /* the last name's release removed the directory meanwhile */
    if (fd < 0) return bd_fail(err, errno, "open %s", path);
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
      int e = errno;
      ssize_t n = pread(fd, owner, sizeof owner - 1, 0);
      owner[n > 0 ? n : 0] = '\0';
      close(fd);
      if (e == EWOULDBLOCK) return bd_fail(err, 0, "the name %s is taken by container %s: choose another, or stop that one", name, owner);
      return bd_fail(err, e, "lock %s", path);
    }
    /* Locked, but the file may have been a dead run's, removed meanwhile: then take the new one. */
    struct stat held, now;
    if (fstat(fd, &held) == 0 && stat(path, &now) == 0 && held.st_ino == now.st_ino && held.st_dev == now.st_dev) {
      if (ftruncate(fd, 0) < 0 || pwrite(fd, id, strlen(id), 0) != (ssize_t)strlen(id)) {
        bd_fail(err, errno, "write %s", path);
        state_release_name(name, fd);
        return -1;
      }
      return fd;
    }
    close(fd);
  }
}

void state_release_name(const char *name, int fd) {
  char path[PATH_MAX];
  struct bd_error ignored;
  if (fd < 0) return;
  if (bd_format(path, sizeof path, &ignored, "%s/%s", NAMES_DIR, name) == 0) unlink(path);
  close(fd);
  rmdir(NAMES_DIR); /* only once no name is left in it: nothing stays behind */
}

int state_is_live(const char *id) {
  char path[PATH_MAX];
  struct bd_error ignored;
  if (strchr(id, '/') || id[0] == '.' || bd_format(path, sizeof path, &ignored, "%s/%s/lock", STATE_ROOT, id) < 0) return 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  int live = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
  close(fd);
  return live;
}

/* Remove the names no live run holds (their runs' shims were killed). */
static void collect_names(void) {
  DIR *d = opendir(NAMES_DIR);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) unlinkat(dirfd(d), e->d_name, 0);
    close(fd);
  }
  closedir(d);
  rmdir(NAMES_DIR);
}

int state_gc(int with_bridge, struct bd_error *err) {
  DIR *d = opendir(STATE_ROOT);
  if (!d) return errno == ENOENT ? 0 : bd_fail(err, errno, "opendir %s", STATE_ROOT);
  int count = 0, failed = 0;
  struct dirent *e;
  time_t now = time(NULL);
  while ((e = readdir(d)) != NULL) {
    char dir[PATH_MAX];
    struct bd_error ignored;
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (bd_format(dir, sizeof dir, &ignored, "%s/%s", STATE_ROOT, e->d_name) < 0) continue; /* no run's: ids are short */
    if (strcmp(e->d_name, ".names") == 0) {
      collect_names();
      continue;
    }
    if (strcmp(e->d_name, ".network") == 0) continue; /* below, once the dead runs are gone */
    if (strncmp(e->d_name, ".new-", 5) == 0) {
      struct stat st;
      if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && now - st.st_mtime > STALE_NEW_SECONDS) remove_dir_files(dir);
      continue;
    }
    int rc = collect_run(dir, err);
    if (rc > 0) count++;
    if (rc < 0) failed = 1;
  }
  closedir(d);
  struct bd_error network_err;
  if (network_collect(with_bridge, &network_err) < 0 && !failed) {
    *err = network_err;
    failed = 1;
  }
  return failed ? -1 : count;
}
