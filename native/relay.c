#define _GNU_SOURCE
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static void *pump(void *arg) {
  struct relay_pump p = *(struct relay_pump *)arg;
  char buf[65536];
  for (;;) {
    ssize_t n = read(p.from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t off = 0, w; off < n; off += w) {
      w = write(p.to, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR) w = 0;
      if (w < 0) goto out;
    }
  }
out:
  close(p.done);
  return NULL;
}

int relay_open(struct relay *r, struct bd_error *err) {
  for (int i = 0; i < 3; i++) r->container[i] = r->ours[i] = -1, r->running[i] = 0;
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
  return 0;
}

void relay_handed_over(struct relay *r) {
  for (int i = 0; i < 3; i++) {
    if (r->container[i] >= 0) close(r->container[i]);
    r->container[i] = -1;
  }
}

int relay_start(struct relay *r, struct bd_error *err) {
  for (int i = 0; i < 3; i++) {
    r->pumps[i] = i == 0 ? (struct relay_pump){0, r->ours[0], r->ours[0]} : (struct relay_pump){r->ours[i], i, r->ours[i]};
    int rc = pthread_create(&r->threads[i], NULL, pump, &r->pumps[i]);
    if (rc != 0) return bd_fail(err, rc, "thread to relay the container's stdio");
    r->running[i] = 1;
    r->ours[i] = -1; /* the pump closes it */
  }
  return 0;
}

void relay_finish(struct relay *r) {
  for (int i = 1; i < 3; i++)
    if (r->running[i]) pthread_join(r->threads[i], NULL);
  for (int i = 0; i < 3; i++) {
    if (r->container[i] >= 0) close(r->container[i]);
    if (r->ours[i] >= 0) close(r->ours[i]);
    r->container[i] = r->ours[i] = -1;
  }
}
