#define _GNU_SOURCE
#include "pty_master.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Larger than a pty ever gives in one read. */
#define READ_SIZE 65536
/* Once the program has ended: no output for this long ends the pty. */
#define QUIET_MS 20

struct pty_master {
  int fd;   /* -1 once the pty has ended */
  int wake; /* eventfd: take, write, pause and finish wake the thread */
  size_t high_water;
  pty_master_notify notify;
  void *ctx;
  pthread_t thread;
  pthread_mutex_t lock;
  /* Under lock: output read and not yet taken. */
  char *pending;
  size_t length, capacity;
  /* Under lock: input not yet written. */
  char *typed;
  size_t typed_length, typed_capacity;
  int announced; /* notify was called and take has not been since */
  int paused;
  int finishing; /* the program has ended: stop at the first quiet spell */
  int ended;
  struct bd_error error; /* why reading stopped, when not the pty's end */
};

/* How many bytes at the end of text begin a UTF-8 character not complete yet. */
static size_t partial_character_length(const char *text, size_t length) {
  for (size_t back = 1; back <= 3 && back <= length; back++) {
    unsigned char byte = (unsigned char)text[length - back];
    if ((byte & 0xc0) == 0x80) continue; /* a continuation byte: the lead is further back */
    size_t size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return size > back ? back : 0;
  }
  return 0;
}

/* Under lock: `length` more bytes of room at the end of *buf. */
static int reserve(char **buf, size_t *capacity, size_t used, size_t length) {
  if (used + length <= *capacity) return 0;
  size_t grown_capacity = *capacity ? *capacity : READ_SIZE;
  while (grown_capacity < used + length) grown_capacity *= 2;
  char *grown = realloc(*buf, grown_capacity);
  if (!grown) return -1;
  *buf = grown;
  *capacity = grown_capacity;
  return 0;
}

/* Under lock. Returns whether notify is due: output waits and was not announced. */
static int append(struct pty_master *r, const char *data, size_t length) {
  if (reserve(&r->pending, &r->capacity, r->length, length) < 0) {
    bd_fail(&r->error, ENOMEM, "read pty output");
    return 0;
  }
  memcpy(r->pending + r->length, data, length);
  r->length += length;
  return !r->announced;
}

static void wake_thread(struct pty_master *r) {
  uint64_t one = 1;
  (void)!write(r->wake, &one, sizeof one); /* a full counter wakes it as well */
}

/* Write what was typed, as far as the pty takes it now. */
static void write_typed(struct pty_master *r) {
  pthread_mutex_lock(&r->lock);
  size_t done = 0;
  while (done < r->typed_length) {
    ssize_t n = write(r->fd, r->typed + done, r->typed_length - done);
    if (n > 0) done += (size_t)n;
    else if (n < 0 && errno == EINTR) continue;
    else if (n < 0 && errno == EAGAIN) break;
    else done = r->typed_length; /* EIO: the program's side has closed, and what is typed goes nowhere */
  }
  memmove(r->typed, r->typed + done, r->typed_length - done);
  r->typed_length -= done;
  pthread_mutex_unlock(&r->lock);
}

/* 1 when output was read, 0 when none was ready, -1 at the pty's end or on an error (in r->error). */
static int read_output(struct pty_master *r, char *buffer) {
  ssize_t n = read(r->fd, buffer, READ_SIZE);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 0;
  if (n == 0 || (n < 0 && errno == EIO)) return -1; /* EIO: every slave fd is closed, the pty has ended */
  if (n < 0) {
    bd_fail(&r->error, errno, "read pty master");
    return -1;
  }
  pthread_mutex_lock(&r->lock);
  int due = append(r, buffer, (size_t)n);
  if (due) r->announced = 1;
  pthread_mutex_unlock(&r->lock);
  if (due) r->notify(r->ctx, 0);
  return 1;
}

static void *serve(void *arg) {
  struct pty_master *r = arg;
  char *buffer = malloc(READ_SIZE);
  if (!buffer) bd_fail(&r->error, ENOMEM, "read pty output");
  while (buffer) {
    pthread_mutex_lock(&r->lock);
    int failed = r->error.msg[0] != 0;
    int reading = !r->paused && r->length < r->high_water;
    int writing = r->typed_length > 0;
    int finishing = r->finishing;
    pthread_mutex_unlock(&r->lock);
    if (failed) break;
    /* Only what is wanted is polled: a hung-up pty reports POLLHUP whatever is asked. */
    struct pollfd p[2] = {{.fd = reading || writing ? r->fd : -1, .events = (short)((reading ? POLLIN : 0) | (writing ? POLLOUT : 0))},
                          {.fd = r->wake, .events = POLLIN}};
    int ready = poll(p, 2, finishing && reading ? QUIET_MS : -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      bd_fail(&r->error, errno, "poll pty master");
      break;
    }
    if (ready == 0) break; /* finishing, and quiet */
    uint64_t count;
    if (p[1].revents) (void)!read(r->wake, &count, sizeof count);
    if (writing && p[0].revents) write_typed(r);
    if (reading && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) && read_output(r, buffer) < 0) break;
  }
  free(buffer);
  pthread_mutex_lock(&r->lock);
  close(r->fd);
  r->fd = -1;
  r->ended = 1;
  r->announced = 1;
  pthread_mutex_unlock(&r->lock);
  r->notify(r->ctx, 1);
  return NULL;
}

int pty_master_channel(int pair[2], struct bd_error *err) {
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) return bd_fail(err, errno, "socketpair for the console");
  int flags = fcntl(pair[0], F_GETFL);
  if (flags < 0 || fcntl(pair[0], F_SETFL, flags | O_NONBLOCK) < 0) {
    bd_fail(err, errno, "make the console channel non-blocking");
    close(pair[0]);
    close(pair[1]);
    return -1;
  }
  return 0;
}

int pty_master_receive(int sock, struct bd_error *err) {
  int fd = recv_fd(sock, err);
  if (fd < 0) return bd_wrap(err, "take the console the runtime shim hands over");
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2)) {
    close(fd);
    return bd_fail(err, 0, "what the runtime shim handed over is not a pty master");
  }
  return fd;
}

int pty_master_start(int fd, size_t high_water, pty_master_notify notify, void *ctx, struct pty_master **out, struct bd_error *err) {
  struct pty_master *r = calloc(1, sizeof *r);
  if (!r) {
    close(fd);
    return bd_fail(err, ENOMEM, "start serving a pty");
  }
  r->fd = fd;
  r->high_water = high_water;
  r->notify = notify;
  r->ctx = ctx;
  r->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (r->wake < 0) {
    bd_fail(err, errno, "eventfd");
    close(fd);
    free(r);
    return -1;
  }
  pthread_mutex_init(&r->lock, NULL);
  int rc = pthread_create(&r->thread, NULL, serve, r);
  if (rc != 0) {
    bd_fail(err, rc, "pthread_create pty master");
    pthread_mutex_destroy(&r->lock);
    close(r->wake);
    close(fd);
    free(r);
    return -1;
  }
  *out = r;
  return 0;
}

int pty_master_take(struct pty_master *r, struct pty_output *out, struct bd_error *err) {
  memset(out, 0, sizeof *out);
  pthread_mutex_lock(&r->lock);
  size_t whole = r->ended ? r->length : r->length - partial_character_length(r->pending, r->length);
  if (whole) {
    /* The start of a character cut short stays for its end, in a buffer of its own. */
    size_t rest = r->length - whole;
    char *kept = NULL;
    if (rest && !(kept = malloc(READ_SIZE))) {
      pthread_mutex_unlock(&r->lock);
      return bd_fail(err, ENOMEM, "take pty output");
    }
    if (rest) memcpy(kept, r->pending + whole, rest);
    out->data = r->pending;
    out->length = whole;
    r->pending = kept;
    r->capacity = kept ? READ_SIZE : 0;
    r->length = rest;
  }
  out->ended = r->ended;
  if (r->ended) memcpy(out->error, r->error.msg, sizeof out->error);
  r->announced = r->ended; /* the next read is announced again; after the end, nothing is */
  pthread_mutex_unlock(&r->lock);
  wake_thread(r); /* there may be room to read again */
  return 0;
}

int pty_master_write(struct pty_master *r, const char *data, size_t length, struct bd_error *err) {
  pthread_mutex_lock(&r->lock);
  int queued = !r->ended && reserve(&r->typed, &r->typed_capacity, r->typed_length, length) == 0;
  if (queued) {
    memcpy(r->typed + r->typed_length, data, length);
    r->typed_length += length;
  }
  int failed = !r->ended && !queued;
  pthread_mutex_unlock(&r->lock);
  if (failed) return bd_fail(err, ENOMEM, "type into the pty");
  if (queued) wake_thread(r);
  return 0;
}

int pty_master_resize(struct pty_master *r, unsigned short cols, unsigned short rows, struct bd_error *err) {
  struct winsize size = {.ws_row = rows, .ws_col = cols};
  pthread_mutex_lock(&r->lock);
  int rc = r->ended ? 0 : ioctl(r->fd, TIOCSWINSZ, &size);
  pthread_mutex_unlock(&r->lock);
  return rc < 0 ? bd_fail(err, errno, "set the pty's size to %ux%u", cols, rows) : 0;
}

void pty_master_pause(struct pty_master *r, int paused) {
  pthread_mutex_lock(&r->lock);
  r->paused = paused;
  pthread_mutex_unlock(&r->lock);
  wake_thread(r);
}

void pty_master_finish(struct pty_master *r) {
  pthread_mutex_lock(&r->lock);
  r->finishing = 1;
  pthread_mutex_unlock(&r->lock);
  wake_thread(r);
}

void pty_master_free(struct pty_master *r) {
  pthread_join(r->thread, NULL);
  pthread_mutex_destroy(&r->lock);
  close(r->wake);
  free(r->pending);
  free(r->typed);
  free(r);
}
