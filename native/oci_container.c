#define _GNU_SOURCE
#include "oci_container.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "caps.h"
#include "linux.h"
#include "oci_hooks.h"
#include "oci_seccomp.h"
#include "volumes.h"

/* Mount options: flags set or cleared, or propagation; the rest is data. */
static const struct {
  const char *name;
  int clear;
  unsigned long flag;
} OPTIONS[] = {
    {"ro", 0, MS_RDONLY},
    {"rw", 1, MS_RDONLY},
    {"nosuid", 0, MS_NOSUID},
    {"suid", 1, MS_NOSUID},
    {"nodev", 0, MS_NODEV},
    {"dev", 1, MS_NODEV},
    {"noexec", 0, MS_NOEXEC},
    {"exec", 1, MS_NOEXEC},
    {"sync", 0, MS_SYNCHRONOUS},
    {"async", 1, MS_SYNCHRONOUS},
    {"dirsync", 0, MS_DIRSYNC},
    {"remount", 0, MS_REMOUNT},
    {"mand", 0, MS_MANDLOCK},
    {"nomand", 1, MS_MANDLOCK},
    {"noatime", 0, MS_NOATIME},
    {"atime", 1, MS_NOATIME},
    {"nodiratime", 0, MS_NODIRATIME},
    {"diratime", 1, MS_NODIRATIME},
    {"relatime", 0, MS_RELATIME},
    {"norelatime", 1, MS_RELATIME},
    {"strictatime", 0, MS_STRICTATIME},
    {"nostrictatime", 1, MS_STRICTATIME},
    {"bind", 0, MS_BIND},
    {"rbind", 0, MS_BIND | MS_REC},
};

static const struct {
  const char *name;
  unsigned long flag;
} PROPAGATION[] = {
    {"private", MS_PRIVATE}, {"rprivate", MS_PRIVATE | MS_REC}, {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},     {"rslave", MS_SLAVE | MS_REC},     {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

/* A propagation option's flags; 0 when `name` is none. */
static unsigned long propagation_of(const char *name) {
  for (size_t k = 0; k < sizeof PROPAGATION / sizeof PROPAGATION[0]; k++)
    if (strcmp(PROPAGATION[k].name, name) == 0) return PROPAGATION[k].flag;
  return 0;
}

struct mount_options {
  unsigned long flags, propagation;
  char data[1024];
};

static int parse_options(const struct oci_mount *m, struct mount_options *o, struct bd_error *err) {
  size_t len = 0;
  memset(o, 0, sizeof *o);
  for (size_t i = 0; i < m->noptions; i++) {
    const char *name = m->options[i];
    size_t k;
    for (k = 0; k < sizeof OPTIONS / sizeof OPTIONS[0] && strcmp(OPTIONS[k].name, name) != 0; k++) {}
    if (k < sizeof OPTIONS / sizeof OPTIONS[0]) {
      if (OPTIONS[k].clear) o->flags &= ~OPTIONS[k].flag;
      else o->flags |= OPTIONS[k].flag;
      continue;
    }
    unsigned long propagation = propagation_of(name);
    if (propagation) {
      o->propagation |= propagation;
      continue;
    }
    int n = snprintf(o->data + len, sizeof o->data - len, "%s%s", len ? "," : "", name);
    if (n < 0 || (size_t)n >= sizeof o->data - len) return bd_fail(err, E2BIG, "mount options of %s", m->destination);
    len += (size_t)n;
  }
  return 0;
}

/* Mount m at its destination inside the rootfs open at rootfd: the target
 * resolved (and made) inside the rootfs, never through a link out of it. */
static int mount_one(int rootfd, const struct oci_mount *m, struct bd_error *err) {
  struct mount_options o;
  char target[PROC_FD_PATH_MAX];
  struct stat st;
  if (parse_options(m, &o, err) < 0) return -1;
  int bind = (o.flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
  if (bind) o.flags |= MS_BIND;
  /* A bind of a file goes on a file; anything else on a directory. */
  int want_dir = !bind || !m->source || stat(m->source, &st) < 0 || S_ISDIR(st.st_mode);
  int dst = volume_open_target(rootfd, m->destination, want_dir, err);
  if (dst < 0) return -1;
  fd_path(target, dst);
  const char *type = m->type && strcmp(m->type, "bind") != 0 ? m->type : NULL;
  unsigned long remount = 0;
  int rc;
  if (type && (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0) && !bind) {
    /* A cgroup mount shows the caller's hierarchy: the host's /sys/fs/cgroup, bound read-only. */
    rc = mount("/sys/fs/cgroup", target, NULL, MS_BIND | MS_REC, NULL);
    remount = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  } else {
    rc = mount(m->source, target, type, o.flags & ~(bind ? MS_RDONLY | MS_REMOUNT : 0UL), o.data[0] ? o.data : NULL);
    if (bind) remount = o.flags & ~(MS_BIND | MS_REC);
  }
  close(dst);
  if (rc < 0) return bd_fail(err, errno, "mount %s on %s", m->source ? m->source : "(none)", m->destination);
  if (!remount && !o.propagation) return 0;
  /* The new mount, on top of what dst named. */
  if ((dst = volume_open_in_root(rootfd, m->destination, O_PATH)) < 0) return bd_fail(err, errno, "open %s after mounting it", m->destination);
  fd_path(target, dst);
  if (remount && mount(NULL, target, NULL, remount | MS_REMOUNT | MS_BIND, NULL) < 0)
    rc = bd_fail(err, errno, "remount %s with its options", m->destination);
  else if (o.propagation && mount(NULL, target, NULL, o.propagation, NULL) < 0) rc = bd_fail(err, errno, "set the propagation of %s", m->destination);
  close(dst);
  return rc;
}

/* /dev as a runtime makes it when the config mounts a tmpfs there:
 * baby-docker run's devices and links (linux.h), and the spec's own. */

/* In a user namespace, where mknod is refused: the host's device at the
 * same path, bound onto an empty file made at `name` in dir (runc does the
 * same). A file there already is used only when it is a plain file. */
static int bind_host_device(int dir, const char *name, const struct oci_device *d, mode_t type, dev_t rdev, struct bd_error *err) {
  char host_path[PROC_FD_PATH_MAX], node_path[PROC_FD_PATH_MAX];
  struct stat st;
  int rc = -1, host = -1, node = openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
  if (node < 0 && errno == EEXIST) {
    node = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (node >= 0 && (fstat(node, &st) < 0 || !S_ISREG(st.st_mode))) {
      close(node);
      return bd_fail(err, 0, "linux.devices: %s is there already, and is not that device", d->path);
    }
  }
  if (node < 0) return bd_fail(err, errno, "create %s", d->path);
  if ((host = open(d->path, O_PATH | O_CLOEXEC)) < 0 || fstat(host, &st) < 0)
    bd_fail(err, errno, "open the host's %s (a user namespace binds the host's devices)", d->path);
  else if ((st.st_mode & S_IFMT) != type || st.st_rdev != rdev)
    bd_fail(err, 0, "linux.devices: the host's %s is not that device (a user namespace binds the host's devices)", d->path);
  else if (mount(fd_path(host_path, host), fd_path(node_path, node), NULL, MS_BIND, NULL) < 0) bd_fail(err, errno, "bind the host's %s", d->path);
  else rc = 0;
  if (host >= 0) close(host);
  close(node);
  return rc;
}

static int make_device(int rootfd, const struct oci_device *d, int userns, struct bd_error *err) {
  char parent[PATH_MAX];
  const char *name = strrchr(d->path, '/') + 1;
  if ((size_t)snprintf(parent, sizeof parent, "%.*s", (int)(name - d->path), d->path) >= sizeof parent)
    return bd_fail(err, ENAMETOOLONG, "device %s", d->path);
  int dir = volume_open_target(rootfd, parent[1] ? parent : "/", 1, err);
  if (dir < 0) return -1;
  mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
  dev_t rdev = d->type == 'p' ? 0 : makedev(d->major, d->minor);
  char node_path[PROC_FD_PATH_MAX];
  struct stat st;
  int rc = -1, node = -1;
  /* What is at the path now, never followed: we run before pivot_root, where a
   * link in the rootfs would name a host file. Only the device asked for
   * (made now, or there already) is given its owner and mode. */
  if (userns) {
    rc = d->type == 'p' ? bd_fail(err, 0, "linux.devices: %s: a fifo in a user namespace is not supported", d->path)
                        : bind_host_device(dir, name, d, type, rdev, err);
  } else if (mknodat(dir, name, type | (d->mode & 07777), rdev) < 0 && errno != EEXIST) bd_fail(err, errno, "mknod %s", d->path);
  else if ((node = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0 || fstat(node, &st) < 0) bd_fail(err, errno, "open %s", d->path);
  else if ((st.st_mode & S_IFMT) != type || st.st_rdev != rdev)
    bd_fail(err, 0, "linux.devices: %s is there already, and is not that device", d->path);
  else if (fchownat(node, "", d->uid, d->gid, AT_EMPTY_PATH) < 0) bd_fail(err, errno, "chown %s", d->path);
  else if (chmod(fd_path(node_path, node), d->mode & 07777) < 0)
    bd_fail(err, errno, "chmod %s", d->path); /* through the fd: the node itself, whatever its path says now */
  else rc = 0;
  if (node >= 0) close(node);
  close(dir);
  return rc;
}

static int make_dev(int rootfd, const struct oci_spec *s, struct bd_error *err) {
  int userns = oci_spec_namespace(s, CLONE_NEWUSER, NULL);
  for (size_t i = 0; i < DEV_NODE_COUNT; i++) {
    char path[32];
    if (bd_format(path, sizeof path, err, "/dev/%s", DEV_NODES[i].name) < 0) return -1;
    struct oci_device d = {path, 'c', DEV_NODES[i].major, DEV_NODES[i].minor, 0666, 0, 0};
    if (make_device(rootfd, &d, userns, err) < 0) return -1;
  }
  for (size_t i = 0; i < s->ndevices; i++)
    if (make_device(rootfd, &s->devices[i], userns, err) < 0) return -1;
  int dev = volume_open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
  if (dev < 0) return bd_fail(err, errno, "open /dev in the rootfs");
  for (size_t i = 0; i < DEV_LINK_COUNT; i++)
    if (symlinkat(DEV_LINKS[i].target, dev, DEV_LINKS[i].name) < 0 && errno != EEXIST) {
      int e = errno;
      close(dev);
      return bd_fail(err, e, "symlink /dev/%s", DEV_LINKS[i].name);
    }
  close(dev);
  return 0;
}

static int dev_is_tmpfs(const struct oci_spec *s) {
  for (size_t i = 0; i < s->nmounts; i++)
    if (strcmp(s->mounts[i].destination, "/dev") == 0) return s->mounts[i].type && strcmp(s->mounts[i].type, "tmpfs") == 0;
  return 0;
}

/* maskedPaths and readonlyPaths, as baby-docker run hardens /proc and /sys
 * (linux.h). Called after pivot_root: the paths are the container's. */
static int mask_and_protect(const struct oci_spec *s, struct bd_error *err) {
  _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int rc = 0;
  if (root < 0) return bd_fail(err, errno, "open /");
  for (size_t i = 0; rc == 0 && i < s->nmasked_paths; i++) rc = mask_path(root, "", s->masked_paths[i] + strspn(s->masked_paths[i], "/"), err);
  for (size_t i = 0; rc == 0 && i < s->nreadonly_paths; i++)
    rc = protect_path(root, "", s->readonly_paths[i] + strspn(s->readonly_paths[i], "/"), err);
  return rc;
}

static int write_sysctls(const struct oci_spec *s, struct bd_error *err) {
  for (size_t i = 0; i < s->nsysctls; i++) {
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "/proc/sys/%s", s->sysctls[i].key);
    if (n < 0 || (size_t)n >= sizeof path) return bd_fail(err, ENAMETOOLONG, "sysctl %s", s->sysctls[i].key);
    for (char *c = path + strlen("/proc/sys/"); *c; c++)
      if (*c == '.') *c = '/';
    if (write_file(NULL, path, s->sysctls[i].value, err) < 0) return -1;
  }
  return 0;
}

int oci_setup_rootfs(const struct oci_spec *s, const char *rootfs, const char *state, struct bd_error *err) {
  unsigned long propagation = s->rootfs_propagation ? propagation_of(s->rootfs_propagation) : MS_PRIVATE | MS_REC;
  if (!propagation) return bd_fail(err, 0, "linux.rootfsPropagation %s: give private, slave, shared or unbindable (r...)", s->rootfs_propagation);
  /* Nothing of ours propagates to the host while we mount; the rootfs's own propagation comes last. */
  if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0) return bd_fail(err, errno, "make / a slave mount");
  if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) return bd_fail(err, errno, "bind %s onto itself", rootfs);
  _cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) return bd_fail(err, errno, "open %s", rootfs);
  /* In a new user namespace we are still the host's root, who owns the path to the bundle; from here on
   * the namespace's root, whose files (in a tmpfs mounted here, say) map to an id the namespace has. */
  if (oci_spec_namespace(s, CLONE_NEWUSER, NULL) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
    return bd_fail(err, errno, "become root in the user namespace (map container id 0 in linux.uidMappings and gidMappings)");
  for (size_t i = 0; i < s->nmounts; i++)
    if (mount_one(rootfd, &s->mounts[i], err) < 0) return -1;
  if (dev_is_tmpfs(s) && make_dev(rootfd, s, err) < 0) return -1;
  /* In the container's namespaces, before pivot_root: their paths are the runtime's. */
  if (oci_hooks_run(s->hooks, "createContainer", state, 0, err) < 0) return -1;
  if (pivot_into(rootfd, rootfs, err) < 0) return -1;
  close(take_fd(&rootfd)); /* no fd of the old root's is kept past pivot_root */
  if (mount(NULL, "/", NULL, propagation, NULL) < 0) return bd_fail(err, errno, "set the propagation of /");
  if (s->root_readonly && make_root_read_only(err) < 0) return -1;
  if (mask_and_protect(s, err) < 0 || write_sysctls(s, err) < 0) return -1;
  return 0;
}

int oci_setup_process(const struct oci_spec *s, struct bd_error *err) {
  for (size_t i = 0; i < s->nrlimits; i++)
    if (setrlimit((__rlimit_resource_t)s->rlimits[i].resource, &s->rlimits[i].limit) < 0)
      return bd_fail(err, errno, "setrlimit %d", s->rlimits[i].resource);
  if (s->has_oom_score_adj) {
    char value[DECIMAL_STR_MAX(int)];
    snprintf(value, sizeof value, "%d", s->oom_score_adj);
    if (write_file(NULL, "/proc/self/oom_score_adj", value, err) < 0) return -1;
  }
  /* Without no_new_privs the filter goes in while we still hold CAP_SYS_ADMIN, and must let the calls below
   * through; with it, last, as runc does, so the profile need allow only the exec. */
  if (s->seccomp && !s->no_new_privileges && oci_seccomp_install(s->seccomp, err) < 0) return -1;
  if (s->has_caps && caps_limit_bounding(s->caps.bounding, err) < 0) return -1;
  /* Keep the permitted set across the change of user; capset then sets what the spec asks. */
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return bd_fail(err, errno, "prctl PR_SET_KEEPCAPS");
  if (setgroups(s->nadditional_gids, s->additional_gids) < 0) return bd_fail(err, errno, "setgroups");
  if (setresgid(s->gid, s->gid, s->gid) < 0) return bd_fail(err, errno, "setgid %u", (unsigned)s->gid);
  if (setresuid(s->uid, s->uid, s->uid) < 0) return bd_fail(err, errno, "setuid %u", (unsigned)s->uid);
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return bd_fail(err, errno, "prctl PR_SET_KEEPCAPS");
  if (s->has_caps && caps_set(s->caps.effective, s->caps.permitted, s->caps.inheritable, s->caps.ambient, err) < 0) return -1;
  if (s->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return bd_fail(err, errno, "set no_new_privs");
  if (chdir(s->cwd) < 0) return bd_fail(err, errno, "chdir %s (process.cwd)", s->cwd);
  if (s->seccomp && s->no_new_privileges && oci_seccomp_install(s->seccomp, err) < 0) return -1;
  return 0;
}
