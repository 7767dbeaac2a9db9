#define _GNU_SOURCE
#include "pty_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Larger than a pty ever gives in one read. */
#define READ_SIZE 65536

struct pty_reader {
  int fd;
  size_t high_water;
  pty_reader_notify notify;
  void *ctx;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t room; /* signalled by take and by resume */
  /* Under lock: output read and not yet taken. */
  char *pending;
  size_t length, capacity;
  int announced; /* notify was called and take has not been since */
  int paused;
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

/* Under lock. Returns whether notify is due: output waits and was not announced. */
static int append(struct pty_reader *r, const char *data, size_t length) {
  if (r->length + length > r->capacity) {
    size_t capacity = r->capacity ? r->capacity : READ_SIZE;
    while (capacity < r->length + length) capacity *= 2;
    char *grown = realloc(r->pending, capacity);
    if (!grown) {
      bd_fail(&r->error, ENOMEM, "read pty output");
      return 0;
    }
    r->pending = grown;
    r->capacity = capacity;
  }
  memcpy(r->pending + r->length, data, length);
  r->length += length;
  return !r->announced;
}

/* Wait until the pty can be read (the fd is non-blocking: Node's tty handle made it so). 0 at its end. */
static ssize_t read_some(struct pty_reader *r, char *buffer) {
  for (;;) {
    struct pollfd ready = {.fd = r->fd, .events = POLLIN};
    if (poll(&ready, 1, -1) < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    ssize_t n = read(r->fd, buffer, READ_SIZE);
    if (n >= 0) return n;
    if (errno == EINTR || errno == EAGAIN) continue;
    if (errno == EIO) return 0; /* every slave fd is closed: the pty has ended */
    return -1;
  }
}

static void *read_until_end(void *arg) {
  struct pty_reader *r = arg;
  char *buffer = malloc(READ_SIZE);
  if (!buffer) bd_fail(&r->error, ENOMEM, "read pty output");
  while (buffer) {
    pthread_mutex_lock(&r->lock);
    while (r->paused || r->length >= r->high_water) pthread_cond_wait(&r->room, &r->lock);
    int failed = r->error.msg[0] != 0;
    pthread_mutex_unlock(&r->lock);
    if (failed) break;
    ssize_t n = read_some(r, buffer);
    if (n <= 0) {
      if (n < 0) bd_fail(&r->error, errno, "read pty master");
      break;
    }
    pthread_mutex_lock(&r->lock);
    int due = append(r, buffer, (size_t)n);
    if (due) r->announced = 1;
    pthread_mutex_unlock(&r->lock);
    if (due) r->notify(r->ctx, 0);
  }
  free(buffer);
  close(r->fd);
  pthread_mutex_lock(&r->lock);
  r->ended = 1;
  r->announced = 1;
  pthread_mutex_unlock(&r->lock);
  r->notify(r->ctx, 1);
  return NULL;
}

int pty_reader_start(int fd, size_t high_water, pty_reader_notify notify, void *ctx, struct pty_reader **out, struct bd_error *err) {
  struct pty_reader *r = calloc(1, sizeof *r);
  if (!r) return bd_fail(err, ENOMEM, "start pty reader");
  r->high_water = high_water;
  r->notify = notify;
  r->ctx = ctx;
  /* Close-on-exec: a container started later must not hold this pty open. */
  r->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (r->fd < 0) {
    free(r);
    return bd_fail(err, errno, "dup pty fd %d", fd);
  }
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->room, NULL);
  int rc = pthread_create(&r->thread, NULL, read_until_end, r);
  if (rc != 0) {
    close(r->fd);
    free(r);
    return bd_fail(err, rc, "pthread_create pty reader");
  }
  *out = r;
  return 0;
}

int pty_reader_take(struct pty_reader *r, struct pty_output *out, struct bd_error *err) {
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
  pthread_cond_signal(&r->room);
  pthread_mutex_unlock(&r->lock);
  return 0;
}

void pty_reader_pause(struct pty_reader *r, int paused) {
  pthread_mutex_lock(&r->lock);
  r->paused = paused;
  pthread_cond_signal(&r->room);
  pthread_mutex_unlock(&r->lock);
}

void pty_reader_free(struct pty_reader *r) {
  pthread_join(r->thread, NULL);
  pthread_mutex_destroy(&r->lock);
  pthread_cond_destroy(&r->room);
  free(r->pending);
  free(r);
}
