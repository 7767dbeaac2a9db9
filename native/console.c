#define _GNU_SOURCE
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#define DEVPTS_SUPER_MAGIC 0x1cd1

int console_open(int *slave, int size_from, struct bd_error *err) {
  /* Whatever the container made of its /dev, what opens must be a devpts ptmx. */
  int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (master < 0) return bd_fail(err, errno, "open the container's /dev/pts/ptmx");
  struct statfs fs;
  struct stat st;
  struct winsize size;
  int unlock = 0;
  *slave = -1;
  if (fstatfs(master, &fs) < 0 || fstat(master, &st) < 0) {
    bd_fail(err, errno, "stat the container's /dev/pts/ptmx");
  } else if (fs.f_type != DEVPTS_SUPER_MAGIC || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2)) {
    bd_fail(err, 0, "the container's /dev/pts/ptmx is not a devpts ptmx");
  } else if (ioctl(master, TIOCSPTLCK, &unlock) < 0) {
    bd_fail(err, errno, "unlock a pty of the container's devpts");
  } else if ((*slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
    bd_fail(err, errno, "open the slave of a pty of the container's devpts");
  } else if (size_from >= 0 && (ioctl(size_from, TIOCGWINSZ, &size) < 0 || ioctl(master, TIOCSWINSZ, &size) < 0)) {
    bd_fail(err, errno, "set the size of the container's pty");
  } else {
    return master;
  }
  if (*slave >= 0) close(*slave);
  close(master);
  return -1;
}

/* Bytes on their way from one fd to another, neither blocking. */
struct flow {
  int from, to;
  char buf[4096];
  size_t len, off;
  int ended;   /* nothing more comes from `from` */
  int to_gone; /* `to` cannot take more: what comes is dropped, so the writer never blocks */
};

static void flow_events(const struct flow *f, struct pollfd *from, struct pollfd *to) {
  int pending = f->off < f->len;
  *from = (struct pollfd){.fd = f->ended || pending ? -1 : f->from, .events = POLLIN};
  *to = (struct pollfd){.fd = pending ? f->to : -1, .events = POLLOUT};
}

/* Read when nothing is pending, then write what is; 1 when something was read. */
static int flow_move(struct flow *f) {
  int got = 0;
  if (f->off == f->len && !f->ended) {
    ssize_t n = read(f->from, f->buf, sizeof f->buf);
    if (n > 0) {
      f->off = 0;
      f->len = (size_t)n;
      got = 1;
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      f->ended = 1; /* EIO: the other side of the pty has closed */
    }
  }
  while (f->off < f->len) {
    ssize_t n = f->to_gone ? (ssize_t)(f->len - f->off) : write(f->to, f->buf + f->off, f->len - f->off);
    if (n > 0) f->off += (size_t)n;
    else if (n < 0 && errno == EINTR) continue;
    else if (n < 0 && errno == EAGAIN) break;
    else f->to_gone = 1;
  }
  return got;
}

static void copy_size(int master) {
  struct winsize size;
  if (ioctl(0, TIOCGWINSZ, &size) == 0) ioctl(master, TIOCSWINSZ, &size);
}

/* Next signal from the signalfd, 0 for none. */
static int next_signal(int sfd) {
  struct signalfd_siginfo info;
  return read(sfd, &info, sizeof info) == (ssize_t)sizeof info ? (int)info.ssi_signo : 0;
}

/* What drain delivers at most: a pty holds far less; more is a background job writing on. */
#define DRAIN_MAX (1024 * 1024)

/* The command has ended: deliver what it left in the console, without
 * waiting for more (a background job may hold the pty open). While our
 * reader takes nothing, a signal (but a resize) gives up instead. */
static void drain(struct flow *out, int sfd) {
  for (size_t total = 0; total < DRAIN_MAX;) {
    int got = flow_move(out);
    if (got) total += out->len;
    if (out->off == out->len && !got) return;
    if (out->off == out->len) continue;
    struct pollfd p[2] = {{.fd = out->to, .events = POLLOUT}, {.fd = sfd, .events = POLLIN}};
    if (poll(p, 2, -1) < 0) return;
    for (int sig; p[1].revents && (sig = next_signal(sfd)) > 0;)
      if (sig != SIGWINCH && sig != SIGCHLD) return;
  }
}

/* Bytes as they are, in and out, and never a blocking read or write. */
static int make_raw(int fd, struct bd_error *err) {
  struct termios raw;
  if (tcgetattr(fd, &raw) < 0) return bd_fail(err, errno, "tcgetattr on fd %d", fd);
  cfmakeraw(&raw);
  if (tcsetattr(fd, TCSANOW, &raw) < 0) return bd_fail(err, errno, "tcsetattr on fd %d", fd);
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return bd_fail(err, errno, "make fd %d non-blocking", fd);
  return 0;
}

int console_relay(int master, console_signal_fn on_signal, void *arg, struct bd_error *err) {
  sigset_t all;
  sigfillset(&all);
  int sfd = signalfd(-1, &all, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sfd < 0) return bd_fail(err, errno, "signalfd");
  if (make_raw(0, err) < 0) { /* fd 1 is the same terminal */
    close(sfd);
    return -1;
  }
  struct flow in = {.from = 0, .to = master}, out = {.from = master, .to = 1};
  for (int ended = 0; !ended;) {
    struct pollfd p[5] = {{.fd = sfd, .events = POLLIN}};
    flow_events(&in, &p[1], &p[2]);
    flow_events(&out, &p[3], &p[4]);
    if (poll(p, 5, -1) < 0) {
      close(sfd);
      return bd_fail(err, errno, "poll the console");
    }
    for (int sig; !ended && (sig = next_signal(sfd)) > 0;) {
      if (sig == SIGWINCH) copy_size(master);
      else ended = on_signal(sig, arg);
    }
    flow_move(&in);
    flow_move(&out);
  }
  drain(&out, sfd);
  close(sfd);
  return 0;
}
