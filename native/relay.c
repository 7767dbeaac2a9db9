#define _GNU_SOURCE
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

static int write_all(int fd, const char *buf, size_t len) {
  for (size_t off = 0; off < len;) {
    ssize_t w = write(fd, buf + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -1;
    off += (size_t)w;
  }
  return 0;
}

/* One thread for all three: the container's stdout and stderr are written
 * out as they come (blocking, so a slow reader slows the container down as
 * a direct pipe would); its stdin pipe is ours and non-blocking, so input
 * it does not read yet waits here and never stalls its output. Ends once
 * stdout and stderr have ended. */
static void *relay_main(void *arg) {
  struct relay *r = arg;
  char in[65536], buf[65536];
  size_t in_len = 0, in_off = 0;
  int caller_in = 0;
  while (r->ours[1] >= 0 || r->ours[2] >= 0) {
    struct pollfd all[4] = {
        {in_len ? -1 : caller_in, POLLIN, 0},
        {r->ours[1], POLLIN, 0},
        {r->ours[2], POLLIN, 0},
        {in_len ? r->ours[0] : -1, POLLOUT, 0},
    };
    if (poll(all, 4, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 1; i < 3; i++) {
      if (!all[i].revents) continue;
      ssize_t n = read(r->ours[i], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      /* Its end, or a caller that stopped reading: close, so the container sees EOF's twin, EPIPE. */
      if (n <= 0 || write_all(i, buf, (size_t)n) < 0) {
        close(r->ours[i]);
        r->ours[i] = -1;
      }
    }
    if (all[0].revents) {
      ssize_t n = read(caller_in, in, sizeof in);
      if (n > 0) in_len = (size_t)n, in_off = 0;
      else if (n == 0 || errno != EINTR) caller_in = -1, in_len = 0;
      if (caller_in < 0 && r->ours[0] >= 0) close(r->ours[0]), r->ours[0] = -1;
    }
    if (in_len && r->ours[0] >= 0) {
      ssize_t w = write(r->ours[0], in + in_off, in_len);
      if (w > 0) in_off += (size_t)w, in_len -= (size_t)w;
      else if (w < 0 && errno != EAGAIN && errno != EINTR) close(r->ours[0]), r->ours[0] = -1, caller_in = -1, in_len = 0;
    }
  }
  return NULL;
}

int relay_open(struct relay *r, struct bd_error *err) {
  r->running = 0;
  for (int i = 0; i < 3; i++) r->container[i] = r->ours[i] = -1;
  for (int i = 0; i < 3; i++) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
      int e = errno;
      relay_finish(r);
      return bd_fail(err, e, "pipe for the container's stdio");
    }
    r->container[i] = fds[i == 0 ? 0 : 1];
    r->ours[i] = fds[i == 0 ? 1 : 0];
  }
  if (fcntl(r->ours[0], F_SETFL, O_NONBLOCK) < 0) {
    int e = errno;
    relay_finish(r);
    return bd_fail(err, e, "fcntl the container's stdin pipe");
  }
  return 0;
}

int relay_start(struct relay *r, struct bd_error *err) {
  int rc = pthread_create(&r->thread, NULL, relay_main, r);
  if (rc != 0) return bd_fail(err, rc, "thread to relay the container's stdio");
  r->running = 1;
  return 0;
}

void relay_handed_over(struct relay *r) {
  for (int i = 0; i < 3; i++) {
    if (r->container[i] >= 0) close(r->container[i]);
    r->container[i] = -1;
  }
}

void relay_finish(struct relay *r) {
  relay_handed_over(r); /* or the container's output would never end */
  if (r->running) pthread_join(r->thread, NULL);
  r->running = 0;
  for (int i = 0; i < 3; i++) {
    if (r->container[i] >= 0) close(r->container[i]);
    if (r->ours[i] >= 0) close(r->ours[i]);
    r->container[i] = r->ours[i] = -1;
  }
}
