#define _GNU_SOURCE
#include "linux.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Open `name`, a direct child of the directory `dirfd`, as an O_PATH fd to a
 * real directory, creating it when missing. A symlink (or anything else) in
 * its place fails: mounting through it could land on the host. */
static int open_mount_target(int dirfd, const char *shown, const char *name, struct bd_error *err) {
  struct stat st;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno != ENOENT) return bd_fail(err, errno, "stat %s", shown);
    if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST) return bd_fail(err, errno, "mkdir %s", shown);
  } else if (S_ISLNK(st.st_mode)) {
    return bd_fail(err, 0,
                   "%s in the rootfs is a symlink; a mount target must be an ordinary directory "
                   "(replace it with a directory in the rootfs)",
                   shown);
  }
  int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOTDIR || errno == ELOOP)
      return bd_fail(err, 0,
                     "%s in the rootfs is not a directory; a mount target must be an ordinary directory "
                     "(replace it with a directory in the rootfs)",
                     shown);
    return bd_fail(err, errno, "open %s", shown);
  }
  return fd;
}

/* Mount onto the directory behind fd: the target was checked when it was
 * opened, and a path swapped for a symlink since then changes nothing. */
static int mount_on_fd(int fd, const char *shown, const char *source, const char *type, unsigned long flags, const char *data, struct bd_error *err) {
  char target[PROC_FD_PATH_MAX];
  if (mount(source, fd_path(target, fd), type, flags, data) < 0) return bd_fail(err, errno, "mount %s", shown);
  return 0;
}

static int mount_at(int dirfd, const char *shown, const char *name, const char *source, const char *type, unsigned long flags, const char *data,
                    struct bd_error *err) {
  _cleanup_close_ int fd = open_mount_target(dirfd, shown, name, err);
  if (fd < 0) return -1;
  return mount_on_fd(fd, shown, source, type, flags, data, err);
}

/* Reopen the filesystem just mounted on `name` by that name, and check that
 * it is one (of type `magic`): a host-side process can swap the rootfs's
 * directories (rename, RENAME_EXCHANGE) between the mount and this open, and
 * what is then set up or hardened must be what was mounted, not a stand-in. */
static int reopen_mounted(int dirfd, const char *name, const char *shown, long magic, struct bd_error *err) {
  struct statfs fs;
  int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return bd_fail(err, errno, "open %s (was it moved during setup?)", shown);
  if (fstatfs(fd, &fs) < 0 || fs.f_type != magic) {
    close(fd);
    return bd_fail(err, 0, "%s in the rootfs was swapped during setup: it is not what was mounted there; start again", shown);
  }
  return fd;
}

const struct dev_node DEV_NODES[DEV_NODE_COUNT] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

const struct dev_link DEV_LINKS[DEV_LINK_COUNT] = {
    {"ptmx", "pts/ptmx"},          {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"}, {"core", "/proc/kcore"},
};

/* A fresh tmpfs /dev with the standard nodes, links, pts, shm and mqueue. */
static int populate_dev(int rootfd, struct bd_error *err) {
  _cleanup_close_ int devfd = open_mount_target(rootfd, "/dev", "dev", err);
  if (devfd < 0) return -1;
  if (mount_on_fd(devfd, "/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", err) < 0) return -1;
  /* Reopen: the old fd names the directory under the new tmpfs. */
  close(devfd);
  if ((devfd = reopen_mounted(rootfd, "dev", "/dev", TMPFS_MAGIC, err)) < 0) return -1;
  for (size_t i = 0; i < DEV_NODE_COUNT; i++) {
    const char *name = DEV_NODES[i].name;
    if (mknodat(devfd, name, S_IFCHR | 0666, makedev(DEV_NODES[i].major, DEV_NODES[i].minor)) < 0) return bd_fail(err, errno, "mknod /dev/%s", name);
    if (fchmodat(devfd, name, 0666, 0) < 0) return bd_fail(err, errno, "chmod /dev/%s", name); /* mknod honours the umask */
  }
  for (size_t i = 0; i < DEV_LINK_COUNT; i++)
    if (symlinkat(DEV_LINKS[i].target, devfd, DEV_LINKS[i].name) < 0) return bd_fail(err, errno, "symlink /dev/%s", DEV_LINKS[i].name);
  if (mount_at(devfd, "/dev/pts", "pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5", err) < 0 ||
      mount_at(devfd, "/dev/shm", "shm", "shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k", err) < 0 ||
      mount_at(devfd, "/dev/mqueue", "mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL, err) < 0)
    return -1;
  return 0;
}

/* What of /proc and /sys the container may not change or read, as runc and
 * Docker have it: read-only, or masked (/dev/null over files, an empty
 * read-only tmpfs over directories). Missing ones are skipped. */
static const char *const proc_read_only[] = {"bus", "fs", "irq", "sys", "sysrq-trigger"};
static const char *const proc_masked[] = {"acpi",          "asound",      "interrupts", "kcore",      "keys",
                                          "latency_stats", "sched_debug", "scsi",       "timer_list", "timer_stats"};
static const char *const sys_masked[] = {"firmware", "devices/virtual/powercap"};

/* O_PATH fd of `name` under dirfd, after the mounts on it; -1 with errno ENOENT when missing. */
static int open_kernel_path(int dirfd, const char *shown, const char *name, struct bd_error *err) {
  int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno != ENOENT) bd_fail(err, errno, "open %s/%s", shown, name);
  return fd;
}

int protect_path(int dirfd, const char *shown, const char *name, struct bd_error *err) {
  char target[PROC_FD_PATH_MAX];
  int fd = open_kernel_path(dirfd, shown, name, err);
  if (fd < 0) return errno == ENOENT ? 0 : -1;
  fd_path(target, fd);
  int rc = mount(target, target, NULL, MS_BIND | MS_REC, NULL);
  close(fd);
  if (rc < 0) return bd_fail(err, errno, "bind %s/%s", shown, name);
  /* The fd names what lies under the new mount: reopen to reach the mount itself. */
  if ((fd = open_kernel_path(dirfd, shown, name, err)) < 0) return -1;
  rc = mount(NULL, fd_path(target, fd), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  close(fd);
  if (rc < 0) return bd_fail(err, errno, "remount %s/%s read-only", shown, name);
  return 0;
}

int mask_path(int dirfd, const char *shown, const char *name, struct bd_error *err) {
  char target[PROC_FD_PATH_MAX];
  struct stat st;
  int fd = open_kernel_path(dirfd, shown, name, err);
  if (fd < 0) return errno == ENOENT ? 0 : -1;
  fd_path(target, fd);
  int rc = fstat(fd, &st);
  if (rc == 0)
    rc = S_ISDIR(st.st_mode) ? mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0")
                             : mount("/dev/null", target, NULL, MS_BIND, NULL);
  close(fd);
  if (rc < 0) return bd_fail(err, errno, "mask %s/%s", shown, name);
  return 0;
}

static int harden_proc_and_sys(int rootfd, struct bd_error *err) {
  _cleanup_close_ int procfd = reopen_mounted(rootfd, "proc", "/proc", PROC_SUPER_MAGIC, err);
  if (procfd < 0) return -1;
  _cleanup_close_ int sysfd = reopen_mounted(rootfd, "sys", "/sys", SYSFS_MAGIC, err);
  if (sysfd < 0) return -1;
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < sizeof proc_read_only / sizeof proc_read_only[0]; i++) rc = protect_path(procfd, "/proc", proc_read_only[i], err);
  for (size_t i = 0; rc == 0 && i < sizeof proc_masked / sizeof proc_masked[0]; i++) rc = mask_path(procfd, "/proc", proc_masked[i], err);
  for (size_t i = 0; rc == 0 && i < sizeof sys_masked / sizeof sys_masked[0]; i++) rc = mask_path(sysfd, "/sys", sys_masked[i], err);
  return rc;
}

int pivot_into(int rootfd, const char *rootfs, struct bd_error *err) {
  int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (oldroot < 0) return bd_fail(err, errno, "open /");
  int rc = -1;
  if (fchdir(rootfd) < 0) {
    bd_fail(err, errno, "chdir %s", rootfs);
  } else if (syscall(SYS_pivot_root, ".", ".") < 0) {
    bd_fail(err, errno, "pivot_root %s", rootfs);
  } else if (fchdir(oldroot) < 0) {
    bd_fail(err, errno, "chdir old root");
  } else if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) {
    bd_fail(err, errno, "make old root a slave");
  } else if (umount2(".", MNT_DETACH) < 0) {
    bd_fail(err, errno, "umount old root");
  } else if (chdir("/") < 0) {
    bd_fail(err, errno, "chdir /");
  } else {
    rc = 0;
  }
  close(oldroot);
  return rc;
}

static const char *const mount_points[] = {"proc", "sys", "dev"};

int make_mount_points(const char *rootfs, unsigned *created, struct bd_error *err) {
  *created = 0;
  int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) return bd_fail(err, errno, "open %s", rootfs);
  int rc = 0;
  for (unsigned i = 0; rc == 0 && i < sizeof mount_points / sizeof mount_points[0]; i++) {
    if (mkdirat(rootfd, mount_points[i], 0755) == 0) *created |= 1u << i;
    else if (errno != EEXIST) rc = bd_fail(err, errno, "mkdir %s/%s", rootfs, mount_points[i]);
  }
  close(rootfd);
  if (rc < 0) remove_mount_points(rootfs, *created);
  return rc;
}

void remove_mount_points(const char *rootfs, unsigned created) {
  int rootfd = created ? open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  if (rootfd < 0) return;
  /* rmdir of the name: never follows a link put in its place, fails on anything not empty. */
  for (unsigned i = 0; i < sizeof mount_points / sizeof mount_points[0]; i++)
    if (created & (1u << i)) unlinkat(rootfd, mount_points[i], AT_REMOVEDIR);
  close(rootfd);
}

int make_mounts_private(struct bd_error *err) {
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return bd_fail(err, errno, "make / private");
  return 0;
}

int enter_rootfs(const char *rootfs, int hardened, const struct volume *volumes, size_t nvolumes, struct bd_error *err) {
  if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) return bd_fail(err, errno, "bind %s", rootfs);
  _cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) return bd_fail(err, errno, "open %s", rootfs);
  if (mount_at(rootfd, "/proc", "proc", "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL, err) < 0) return bd_wrap(err, "set up /proc");
  if (mount_at(rootfd, "/sys", "sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL, err) < 0)
    return bd_wrap(err, "set up /sys");
  if (hardened && harden_proc_and_sys(rootfd, err) < 0) return bd_wrap(err, "mask and protect /proc and /sys");
  if (populate_dev(rootfd, err) < 0) return bd_wrap(err, "set up /dev");
  if (mount_volumes(rootfd, volumes, nvolumes, err) < 0) return bd_wrap(err, "mount the volumes");
  if (pivot_into(rootfd, rootfs, err) < 0) return bd_wrap(err, "make it the root");
  return 0;
}

/* Mount onto the directory behind fd, reached as the working directory:
 * after pivot_root, /proc/self/fd would be a path of the container's own,
 * which it can rename; the working directory is no path. Back to / after. */
static int mount_in(int fd, const char *shown, const char *source, const char *type, unsigned long flags, const char *data, struct bd_error *err) {
  if (fchdir(fd) < 0) return bd_fail(err, errno, "chdir %s", shown);
  int rc = mount(source, ".", type, flags, data) < 0 ? bd_fail(err, errno, "mount %s", shown) : 0;
  if (chdir("/") < 0) return bd_fail(err, errno, "chdir /");
  return rc;
}

int mount_cgroup_view(int cgroup_version, int memory, struct bd_error *err) {
  const unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  /* The sysfs mounted before pivot_root, and not a directory the rootfs swapped in since. */
  _cleanup_close_ int fsfd = reopen_mounted(AT_FDCWD, "/sys/fs", "/sys/fs", SYSFS_MAGIC, err);
  if (fsfd < 0) return -1;
  _cleanup_close_ int viewfd = open_mount_target(fsfd, "/sys/fs/cgroup", "cgroup", err);
  if (viewfd < 0) return -1;
  if (cgroup_version == 2) return mount_in(viewfd, "/sys/fs/cgroup", "cgroup2", "cgroup2", ro, NULL, err);
  if (mount_in(viewfd, "/sys/fs/cgroup", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=16k", err) < 0) return -1;
  /* Reopen: the old fd names the directory under the new tmpfs. */
  close(viewfd);
  if ((viewfd = reopen_mounted(fsfd, "cgroup", "/sys/fs/cgroup", TMPFS_MAGIC, err)) < 0) return -1;
  const char *hierarchies[] = {"pids", memory ? "memory" : NULL};
  for (size_t i = 0; i < 2 && hierarchies[i]; i++) {
    char shown[64]; /* for messages only */
    snprintf(shown, sizeof shown, "/sys/fs/cgroup/%s", hierarchies[i]);
    _cleanup_close_ int hierfd = open_mount_target(viewfd, shown, hierarchies[i], err);
    if (hierfd < 0 || mount_in(hierfd, shown, "cgroup", "cgroup", ro, hierarchies[i], err) < 0) return -1;
  }
  return mount_in(viewfd, "/sys/fs/cgroup read-only", NULL, NULL, MS_REMOUNT | ro, NULL, err);
}

int make_root_read_only(struct bd_error *err) {
  struct statvfs st;
  if (statvfs("/", &st) < 0) return bd_fail(err, errno, "statvfs /");
  unsigned long keep = 0;
  const struct {
    unsigned long st, ms;
  } flags[] = {
      {ST_NOSUID, MS_NOSUID},   {ST_NODEV, MS_NODEV},           {ST_NOEXEC, MS_NOEXEC},
      {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
  };
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    if (st.f_flag & flags[i].st) keep |= flags[i].ms;
  if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL) < 0) return bd_fail(err, errno, "remount / read-only");
  return 0;
}

int enter_workdir(const char *dir, struct bd_error *err) {
  if (dir[0] != '/') return bd_fail(err, 0, "working directory %s is not absolute: give it from /", dir);
  if (mkdir_parents(dir, 0755, err) < 0) return -1;
  if (chdir(dir) < 0) return bd_fail(err, errno, "chdir %s", dir);
  return 0;
}

int set_hostname(const char *name, struct bd_error *err) {
  if (sethostname(name, strlen(name)) < 0) return bd_fail(err, errno, "sethostname %s", name);
  return 0;
}

int bring_up_loopback(struct bd_error *err) {
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return bd_fail(err, errno, "socket for lo");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, "lo", sizeof "lo");
  int rc = 0;
  if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) {
    rc = bd_fail(err, errno, "get flags of lo");
  } else {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) rc = bd_fail(err, errno, "bring up lo");
  }
  close(sock);
  return rc;
}

int read_hostname(pid_t pid, char *out, size_t len, struct bd_error *err) {
  /* On the calling thread, and back: setns changes only the calling thread's
   * UTS namespace, which holds nothing but the host and domain names, and a
   * thread made for the read would cost more than the read itself (the TUI
   * reads it every second). Through a pidfd, not /proc/<pid>/ns/uts: the
   * namespace is the process's the pidfd holds, however PIDs are reused. */
  _cleanup_close_ int own = open("/proc/thread-self/ns/uts", O_RDONLY | O_CLOEXEC);
  if (own < 0) return bd_fail(err, errno, "open /proc/thread-self/ns/uts");
  _cleanup_close_ int target = (int)syscall(SYS_pidfd_open, pid, 0);
  if (target < 0) return bd_fail(err, errno, "pidfd_open %d", (int)pid);
  if (setns(target, CLONE_NEWUTS) < 0) return bd_fail(err, errno, "setns to the UTS namespace of %d", (int)pid);
  struct utsname u;
  int rc = uname(&u) < 0 ? bd_fail(err, errno, "uname in the UTS namespace of %d", (int)pid) : bd_format(out, len, err, "%s", u.nodename);
  if (setns(own, CLONE_NEWUTS) < 0) return bd_fail(err, errno, "setns back to our own UTS namespace");
  return rc;
}
