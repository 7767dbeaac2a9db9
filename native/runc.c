/* baby-docker-runc: an OCI runtime's command line, as podman (through
 * conmon), containerd's runc shim and the runtime-tools suite call runc:
 *
 *   baby-docker-runc [--root DIR] [--log FILE] [--log-format text|json] COMMAND ...
 *     create [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--preserve-fds N] [--no-pivot] ID
 *     start ID | state ID | kill [--all] ID [SIGNAL] | delete [--force] ID | pause ID | resume ID
 *     exec [--process FILE] [--detach] [--pid-file FILE] [--tty --console-socket SOCK] ID [ARGS...]
 *     update --resources FILE ID | ps [--format json] ID | list [-q] [--format json] | features
 *
 * create clones the container's first process into its namespaces and
 * cgroup; it sets itself up as config.json says (oci_container.h), then
 * waits, blocked opening the state directory's exec.fifo for writing, until
 * start opens it for reading; then it execs process.args. Neither create
 * nor start stays: the container's process outlives them (reparented to the
 * caller's subreaper, as with runc).
 *
 * State, per container: ROOT/ID/state.json (id, pid and its start time,
 * bundle, creation time, cgroup directories), exec.fifo until started. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci_cgroup.h"
#include "console.h"
#include "container.h"
#include "linux.h"
#include "oci_container.h"
#include "oci_hooks.h"
#include "oci_spec.h"
#include "utils.h"

#define DEFAULT_ROOT "/run/baby-docker-runc"
#define VERSION "0.1.0"
#define SPEC_VERSION "1.0.2"

struct globals {
  const char *root, *log, *log_format;
};

/* An error on stderr and, with --log, in the log as the caller asked (conmon reads the json one). */
static int report(const struct globals *g, const char *msg) {
  fprintf(stderr, "baby-docker-runc: %s\n", msg);
  if (g->log) {
    FILE *f = fopen(g->log, "ae");
    if (f) {
      char when[64];
      time_t now = time(NULL);
      strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
      if (g->log_format && strcmp(g->log_format, "json") == 0) {
        json_object *line = json_object_new_object();
        json_object_object_add(line, "level", json_object_new_string("error"));
        json_object_object_add(line, "msg", json_object_new_string(msg));
        json_object_object_add(line, "time", json_object_new_string(when));
        fprintf(f, "%s\n", json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(line);
      } else {
        fprintf(f, "time=\"%s\" level=error msg=\"%s\"\n", when, msg);
      }
      fclose(f);
    }
  }
  return 1;
}

static int state_path(const struct globals *g, const char *id, const char *file, char *out, size_t len, struct bd_error *err) {
  int n = snprintf(out, len, "%s/%s%s%s", g->root, id, file ? "/" : "", file ? file : "");
  if (n < 0 || (size_t)n >= len) return bd_fail(err, ENAMETOOLONG, "state path of %s", id);
  return 0;
}

/* The cgroup parents the containers under --root made (oci_cgroup.h); a
 * dot name, as no container id has. */
static int registry_path(const struct globals *g, char *out, size_t len, struct bd_error *err) {
  return bd_format(out, len, err, "%s/.cgroup-parents", g->root);
}

/* The start time of process `pid` (field 22 of /proc/PID/stat), 0 when it
 * has gone or only its zombie is left (its parent has not reaped it yet). */
static unsigned long long start_time(pid_t pid) {
  char path[PROC_PID_PATH_MAX], buf[1024];
  struct bd_error ignored;
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  if (read_file(NULL, path, buf, sizeof buf, &ignored) < 0) return 0;
  char *p = strrchr(buf, ')');
  unsigned long long value = 0;
  if (p && (p[2] == 'Z' || p[2] == 'X')) return 0;
  /* After "pid (comm)": state is field 3, starttime field 22. */
  for (int field = 2; p && field < 22; field++) p = strchr(p + 1, ' ');
  if (p) sscanf(p + 1, "%llu", &value);
  return value;
}

struct container_state {
  json_object *json;
  const char *id, *bundle;
  pid_t pid;
  unsigned long long start;
  struct oci_cgroup cg;
};

/* A member of the stored state, or NULL. */
static json_object *stored(const struct container_state *st, const char *key) {
  json_object *value;
  return json_object_object_get_ex(st->json, key, &value) ? value : NULL;
}

static int load_state(const struct globals *g, const char *id, struct container_state *st, struct bd_error *err) {
  char path[PATH_MAX];
  memset(st, 0, sizeof *st);
  if (check_container_id(id, err) < 0 || state_path(g, id, "state.json", path, sizeof path, err) < 0) return -1;
  if (access(path, F_OK) < 0) return bd_fail(err, 0, "container %s does not exist", id);
  st->json = json_object_from_file(path);
  if (!st->json) return bd_fail(err, 0, "read %s: %s", path, json_util_get_last_err());
  json_object *dirs = stored(st, "cgroups");
  st->id = id;
  st->bundle = json_object_get_string(stored(st, "bundle"));
  st->pid = json_object_get_int(stored(st, "pid"));
  st->start = (unsigned long long)json_object_get_int64(stored(st, "starttime"));
  int bad = 0;
  for (size_t i = 0; json_object_get_type(dirs) == json_type_array && i < json_object_array_length(dirs) && i < OCI_CGROUP_DIRS; i++)
    bad |= bd_format(st->cg.dirs[st->cg.ndirs++], sizeof st->cg.dirs[0], err, "%s", json_object_get_string(json_object_array_get_idx(dirs, i)));
  bad |=
      bd_format(st->cg.group, sizeof st->cg.group, err, "%s", stored(st, "cgroup_group") ? json_object_get_string(stored(st, "cgroup_group")) : "");
  if (bad) {
    json_object_put(st->json);
    return bd_wrap(err, "read %s", path);
  }
  return 0;
}

static int alive(const struct container_state *st) { return st->pid > 0 && start_time(st->pid) == st->start; }

static const char *status_of(const struct globals *g, const struct container_state *st) {
  char fifo[PATH_MAX];
  struct bd_error ignored;
  if (!alive(st)) return "stopped";
  if (oci_cgroup_frozen(&st->cg)) return "paused";
  if (state_path(g, st->id, "exec.fifo", fifo, sizeof fifo, &ignored) == 0 && access(fifo, F_OK) == 0) return "created";
  return "running";
}

/* A pidfd of the container's process, checked to be it (not a reused PID). */
static int open_process(const struct container_state *st, struct bd_error *err) {
  int fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
  if (fd < 0 && errno != ESRCH) return bd_fail(err, errno, "pidfd_open %d", (int)st->pid);
  if (fd < 0 || start_time(st->pid) != st->start) {
    if (fd >= 0) close(fd);
    return bd_fail(err, 0, "container %s is not running", st->id);
  }
  return fd;
}

/* The state as the runtime-spec has it, for `state` and for hooks' stdin. */
static json_object *state_object(const char *id, const char *status, pid_t pid, const char *bundle, json_object *annotations) {
  json_object *out = json_object_new_object();
  json_object_object_add(out, "ociVersion", json_object_new_string(SPEC_VERSION));
  json_object_object_add(out, "id", json_object_new_string(id));
  json_object_object_add(out, "status", json_object_new_string(status));
  json_object_object_add(out, "pid", json_object_new_int(pid));
  json_object_object_add(out, "bundle", json_object_new_string(bundle ? bundle : ""));
  json_object_object_add(out, "annotations", annotations ? json_object_get(annotations) : json_object_new_object());
  return out;
}

/* Run the hooks of kind `which`, given the container's state. After a
 * failing poststart or poststop hook the rest still run (runtime-spec): the
 * caller only warns. */
static int run_hooks(json_object *hooks, const char *which, const char *id, const char *status, pid_t pid, const char *bundle,
                     json_object *annotations, struct bd_error *err) {
  json_object *state = state_object(id, status, pid, bundle, annotations);
  int keep_going = strncmp(which, "post", 4) == 0;
  int rc =
      oci_hooks_run(hooks, which, json_object_to_json_string_ext(state, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), keep_going, err);
  json_object_put(state);
  return rc;
}

/* process.terminal: a pty of the container's own devpts becomes the
 * process's controlling terminal and stdio; its master goes to the caller
 * over the console socket (conmon and containerd's shim relay it). */
static int attach_console(int console_socket, struct bd_error *err) {
  int slave, master = console_open(&slave, NULL, err);
  if (master < 0) return -1;
  int rc = -1;
  if (setsid() < 0) bd_fail(err, errno, "setsid");
  else if (ioctl(slave, TIOCSCTTY, 0) < 0) bd_fail(err, errno, "make the pty the controlling terminal");
  else if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) bd_fail(err, errno, "dup2 the pty");
  else rc = send_fd(console_socket, master, err);
  close(slave);
  close(master);
  close(console_socket);
  return rc;
}

/* The child: into the joined namespaces, its root and process set up as
 * the spec says; READY, then blocked on exec.fifo until start; then exec. */
static void child(const struct oci_spec *spec, const char *rootfs, int sync_fd, int fifo, int console_socket, int keep_fds) {
  struct bd_error err = {0};
  char fifo_path[PROC_FD_PATH_MAX];
  char state[4096];
  int kind = sync_recv(sync_fd, &err);
  if (kind != SYNC_GO) {
    if (kind > 0) bd_fail(&err, 0, "expected the go-ahead from create");
    _exit(1);
  }
  /* Then the state for the hooks run here, with our PID as the host sees it. */
  ssize_t n = recv(sync_fd, state, sizeof state - 1, 0);
  if (n < 0) _exit(1);
  state[n] = '\0';
  for (size_t i = 0; i < spec->nnamespaces; i++) {
    const struct oci_namespace *ns = &spec->namespaces[i];
    if (!ns->path || ns->flag == CLONE_NEWPID || ns->flag == CLONE_NEWUSER) continue; /* joined before the clone */
    int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, ns->flag) < 0) {
      bd_fail(&err, errno, "join namespace %s", ns->path);
      goto fail;
    }
    close(fd);
  }
  if (oci_spec_namespace(spec, CLONE_NEWUTS, NULL) && spec->hostname && set_hostname(spec->hostname, &err) < 0) goto fail;
  if (oci_setup_rootfs(spec, rootfs, state, &err) < 0) goto fail;
  if (console_socket >= 0 && attach_console(console_socket, &err) < 0) goto fail;
  if (spec->has_process && oci_setup_process(spec, &err) < 0) goto fail;
  if (cloexec_from(3 + keep_fds, &err) < 0) goto fail;
  fd_path(fifo_path, fifo);
  if (sync_send(sync_fd, SYNC_READY, NULL) < 0) _exit(1);
  int w = open(fifo_path, O_WRONLY | O_CLOEXEC);
  if (w < 0 || write(w, "0", 1) != 1) _exit(1);
  close(w);
  if (!spec->has_process) _exit(0); /* start refuses to open the fifo: not reached */
  /* Started: the startContainer hooks, inside the container, then the process. A failing one ends it. */
  if (oci_hooks_run(spec->hooks, "startContainer", state, 0, &err) < 0) {
    fprintf(stderr, "baby-docker-runc: %s\n", err.msg);
    _exit(1);
  }
  execvpe(spec->args[0], spec->args, spec->env);
  fprintf(stderr, "baby-docker-runc: exec %s: %s\n", spec->args[0], strerror(errno));
  _exit(errno == ENOENT ? 127 : 126);
fail:
  sync_send(sync_fd, SYNC_ERROR, &err);
  _exit(1);
}

/* A new user namespace's uid_map and gid_map, written for the child before
 * it goes on (a map is written once, in one write). */
static int write_id_maps(pid_t pid, const struct oci_spec *spec, struct bd_error *err) {
  const struct {
    const char *file;
    const struct oci_id_map *maps;
    size_t n;
  } files[] = {{"uid_map", spec->uid_maps, spec->nuid_maps}, {"gid_map", spec->gid_maps, spec->ngid_maps}};
  char dir[PROC_PID_PATH_MAX], text[8 * 40];
  snprintf(dir, sizeof dir, "/proc/%d", (int)pid);
  for (size_t f = 0; f < 2; f++) {
    size_t len = 0;
    for (size_t i = 0; i < files[f].n; i++)
      len += (size_t)snprintf(text + len, sizeof text - len, "%u %u %u\n", files[f].maps[i].container, files[f].maps[i].host,
                              files[f].maps[i].size); /* 8 lines of 3 u32s fit */
    if (write_file(dir, files[f].file, text, err) < 0) return -1;
  }
  return 0;
}

/* The host id that id 0 of process pid's user namespace maps to, from its
 * uid_map or gid_map; -1 (for chown: unchanged) when 0 is not mapped. */
static uint32_t host_id_of_root(pid_t pid, const char *map) {
  char path[PROC_PID_PATH_MAX], text[4096];
  struct bd_error ignored;
  unsigned long inside, outside, count;
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, map); /* map: "uid_map" or "gid_map" */
  if (read_file(NULL, path, text, sizeof text, &ignored) < 0) return (uint32_t)-1;
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
    if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 && count > 0) return (uint32_t)outside;
  return (uint32_t)-1;
}

/* The container's process cloned inside the user namespace at `path`, so
 * that the namespaces it makes are that one's: a helper joins it (setns
 * changes the caller's credentials, and the runtime keeps its own) and
 * clones with CLONE_PARENT, which makes the process the runtime's child.
 * Returns the PID, or 0 in the process itself. */
static pid_t clone_in_user_ns(const char *path, int flags, struct bd_error *err) {
  int report[2], fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return bd_fail(err, errno, "open user namespace %s", path);
  if (pipe2(report, O_CLOEXEC) < 0) {
    close(fd);
    return bd_fail(err, errno, "pipe");
  }
  pid_t helper = fork();
  if (helper == 0) {
    pid_t child = -1;
    if (setns(fd, CLONE_NEWUSER) == 0) child = (pid_t)syscall(SYS_clone, (unsigned long)flags | CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
    if (child == 0) {
      close(report[0]);
      close(report[1]);
      close(fd);
      return 0;
    }
    if (child < 0) child = -errno;
    _exit(write(report[1], &child, sizeof child) == sizeof child ? 0 : 1);
  }
  close(fd);
  close(report[1]);
  pid_t pid = -EPIPE;
  if (helper < 0) bd_fail(err, errno, "fork");
  else if (read(report[0], &pid, sizeof pid) != sizeof pid || pid < 0) bd_fail(err, pid < 0 ? -pid : EPIPE, "join user namespace %s", path);
  if (helper > 0) waitpid(helper, NULL, 0);
  close(report[0]);
  return helper > 0 && pid > 0 ? pid : -1;
}

static int write_state(const struct globals *g, const char *id, const char *bundle, const char *rootfs, const struct oci_spec *spec, pid_t pid,
                       const struct oci_cgroup *cg, struct bd_error *err) {
  char path[PATH_MAX], tmp[PATH_MAX + sizeof ".new"], when[64];
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", gmtime(&now.tv_sec));
  snprintf(when + strlen(when), sizeof when - strlen(when), ".%09ldZ", now.tv_nsec);
  json_object *st = json_object_new_object();
  json_object_object_add(st, "id", json_object_new_string(id));
  json_object_object_add(st, "pid", json_object_new_int(pid));
  json_object_object_add(st, "starttime", json_object_new_int64((int64_t)start_time(pid)));
  json_object_object_add(st, "bundle", json_object_new_string(bundle));
  json_object_object_add(st, "rootfs", json_object_new_string(rootfs));
  json_object_object_add(st, "process", json_object_new_boolean(spec->has_process));
  /* Kept: start and delete run the hooks and show the annotations that create was given. */
  if (spec->hooks) json_object_object_add(st, "hooks", json_object_get(spec->hooks));
  if (spec->annotations) json_object_object_add(st, "annotations", json_object_get(spec->annotations));
  json_object_object_add(st, "created", json_object_new_string(when));
  json_object *dirs = json_object_new_array();
  for (size_t i = 0; i < cg->ndirs; i++) json_object_array_add(dirs, json_object_new_string(cg->dirs[i]));
  json_object_object_add(st, "cgroups", dirs);
  json_object_object_add(st, "cgroup_group", json_object_new_string(cg->group));
  if (state_path(g, id, "state.json", path, sizeof path, err) < 0) {
    json_object_put(st);
    return -1;
  }
  snprintf(tmp, sizeof tmp, "%s.new", path);
  int rc = json_object_to_file_ext(tmp, st, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  json_object_put(st);
  if (rc < 0 || rename(tmp, path) < 0) return bd_fail(err, errno, "write %s", path);
  return 0;
}

static int write_pid_file(const char *file, pid_t pid, struct bd_error *err) {
  char tmp[PATH_MAX], text[DECIMAL_STR_MAX(int)];
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.new", file) >= sizeof tmp) return bd_fail(err, ENAMETOOLONG, "pid file %s", file);
  snprintf(text, sizeof text, "%d", (int)pid);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return bd_fail(err, errno, "create %s", tmp);
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  if (n != (ssize_t)strlen(text) || rename(tmp, file) < 0) return bd_fail(err, errno, "write %s", file);
  return 0;
}

/* Remove the state directory's files and itself. */
static void remove_state(const struct globals *g, const char *id) {
  char path[PATH_MAX];
  struct bd_error ignored;
  const char *files[] = {"state.json", "state.json.new", "exec.fifo"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    if (state_path(g, id, files[i], path, sizeof path, &ignored) == 0) unlink(path);
  if (state_path(g, id, NULL, path, sizeof path, &ignored) == 0) rmdir(path);
}

static int cmd_create(const struct globals *g, int argc, char **argv, struct bd_error *err) {
  const char *bundle = ".", *pid_file = NULL, *id = NULL, *console_path = NULL;
  int keep_fds = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if ((strcmp(a, "--bundle") == 0 || strcmp(a, "-b") == 0) && i + 1 < argc) bundle = argv[++i];
    else if (strcmp(a, "--pid-file") == 0 && i + 1 < argc) pid_file = argv[++i];
    else if (strcmp(a, "--preserve-fds") == 0 && i + 1 < argc) keep_fds = atoi(argv[++i]);
    else if (strcmp(a, "--no-pivot") == 0 || strcmp(a, "--no-new-keyring") == 0) continue;
    else if (strcmp(a, "--console-socket") == 0 && i + 1 < argc) console_path = argv[++i];
    else if (a[0] == '-') return bd_fail(err, 0, "create: unknown option %s", a);
    else id = a;
  }
  if (!id) return bd_fail(err, 0, "create: give the container id");
  if (check_container_id(id, err) < 0) return -1;
  char registry[PATH_MAX], bundle_dir[PATH_MAX], config[PATH_MAX + sizeof "/config.json"], rootfs[PATH_MAX], root_rel[PATH_MAX * 2], dir[PATH_MAX],
      fifo_path[PATH_MAX];
  if (!realpath(bundle, bundle_dir)) return bd_fail(err, errno, "bundle %s", bundle);
  snprintf(config, sizeof config, "%s/config.json", bundle_dir);
  struct oci_spec spec;
  if (oci_spec_load(config, &spec, err) < 0) return -1;
  int rc = -1, sync[2] = {-1, -1}, fifo = -1, made_dir = 0, made_cgroup = 0, console_socket = -1;
  pid_t pid = -1;
  struct oci_cgroup cg;
  if (bd_format(root_rel, sizeof root_rel, err, "%s%s%s", spec.root_path[0] == '/' ? "" : bundle_dir, spec.root_path[0] == '/' ? "" : "/",
                spec.root_path) < 0) {
    bd_wrap(err, "root.path");
    goto out;
  }
  if (!realpath(root_rel, rootfs)) {
    bd_fail(err, errno, "root.path %s", root_rel);
    goto out;
  }
  if (spec.terminal != (console_path != NULL)) {
    bd_fail(err, 0,
            spec.terminal ? "config.json asks for a terminal (process.terminal): give --console-socket"
                          : "--console-socket is for a terminal, and config.json asks for none (process.terminal)");
    goto out;
  }
  if (console_path && (console_socket = connect_unix(console_path, err)) < 0) goto out;
  if (!oci_spec_namespace(&spec, CLONE_NEWNS, NULL)) {
    bd_fail(err, 0, "config.json: a mount namespace is needed (linux.namespaces: mount)");
    goto out;
  }
  if (mkdir_parents(g->root, 0700, err) < 0) goto out;
  if (state_path(g, id, NULL, dir, sizeof dir, err) < 0 || state_path(g, id, "exec.fifo", fifo_path, sizeof fifo_path, err) < 0) goto out;
  if (mkdir(dir, 0700) < 0) {
    bd_fail(err, errno == EEXIST ? 0 : errno, errno == EEXIST ? "container %s exists already" : "mkdir %s", errno == EEXIST ? id : dir);
    goto out;
  }
  made_dir = 1;
  if (mkfifo(fifo_path, 0600) < 0) {
    bd_fail(err, errno, "mkfifo %s", fifo_path);
    goto out;
  }
  if ((fifo = open(fifo_path, O_PATH | O_CLOEXEC)) < 0) {
    bd_fail(err, errno, "open %s", fifo_path);
    goto out;
  }
  made_cgroup = 1; /* what part of it is made goes on failure */
  if (registry_path(g, registry, sizeof registry, err) < 0 || oci_cgroup_create(&spec, id, registry, &cg, err) < 0) goto out;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) < 0) {
    bd_fail(err, errno, "socketpair");
    goto out;
  }
  int flags = 0;
  for (size_t i = 0; i < spec.nnamespaces; i++)
    if (!spec.namespaces[i].path) flags |= spec.namespaces[i].flag;
  const char *pid_ns = NULL;
  if (oci_spec_namespace(&spec, CLONE_NEWPID, &pid_ns) == 2) {
    /* A PID namespace is joined for the children to come: ours is the container's only. */
    int fd = open(pid_ns, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWPID) < 0) {
      bd_fail(err, errno, "join PID namespace %s", pid_ns);
      if (fd >= 0) close(fd);
      goto out;
    }
    close(fd);
  }
  const char *user_ns = NULL;
  if (oci_spec_namespace(&spec, CLONE_NEWUSER, &user_ns) == 2) pid = clone_in_user_ns(user_ns, flags, err);
  else if ((pid = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL)) < 0) bd_fail(err, errno, "clone");
  if (pid < 0) goto out;
  if (pid == 0) {
    close(sync[0]);
    child(&spec, rootfs, sync[1], fifo, console_socket, keep_fds);
  }
  close(sync[1]);
  sync[1] = -1;
  if ((flags & CLONE_NEWUSER) && write_id_maps(pid, &spec, err) < 0) goto out;
  /* The process opens the fifo once it is its user namespace's root: that root's, as runc makes it. */
  if (user_ns || (flags & CLONE_NEWUSER)) {
    if (fchownat(fifo, "", host_id_of_root(pid, "uid_map"), host_id_of_root(pid, "gid_map"), AT_EMPTY_PATH) < 0) {
      bd_fail(err, errno, "chown %s to the user namespace's root", fifo_path);
      goto out;
    }
  }
  if (oci_cgroup_join(&cg, pid, err) < 0) goto out;
  /* In its namespaces and cgroup, before its root is set up. */
  if (run_hooks(spec.hooks, "prestart", id, "created", pid, bundle_dir, spec.annotations, err) < 0 ||
      run_hooks(spec.hooks, "createRuntime", id, "created", pid, bundle_dir, spec.annotations, err) < 0)
    goto out;
  json_object *child_state = state_object(id, "created", pid, bundle_dir, spec.annotations);
  const char *state_text = json_object_to_json_string_ext(child_state, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  int sent = sync_send(sync[0], SYNC_GO, NULL) == 0 && send(sync[0], state_text, strlen(state_text), MSG_NOSIGNAL) == (ssize_t)strlen(state_text);
  json_object_put(child_state);
  if (!sent) {
    bd_fail(err, errno, "send the go-ahead to the container's process");
    goto out;
  }
  int kind = sync_recv(sync[0], err);
  if (kind != SYNC_READY) {
    if (kind >= 0 && kind != SYNC_ERROR) bd_fail(err, 0, "the container's process ended while it set up");
    goto out;
  }
  if (write_state(g, id, bundle_dir, rootfs, &spec, pid, &cg, err) < 0 || (pid_file && write_pid_file(pid_file, pid, err) < 0)) goto out;
  rc = 0;
out:
  if (rc < 0 && pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
  }
  if (rc < 0 && made_cgroup) {
    struct bd_error ignored;
    oci_cgroup_destroy(&cg, registry, &ignored);
  }
  if (rc < 0 && made_dir) remove_state(g, id);
  for (int i = 0; i < 2; i++)
    if (sync[i] >= 0) close(sync[i]);
  if (fifo >= 0) close(fifo);
  if (console_socket >= 0) close(console_socket);
  oci_spec_free(&spec);
  return rc;
}

static int cmd_start(const struct globals *g, const char *id, struct bd_error *err) {
  struct container_state st;
  char fifo_path[PATH_MAX], byte;
  if (load_state(g, id, &st, err) < 0) return -1;
  int rc = -1, fifo = -1, pidfd = -1;
  const char *status = status_of(g, &st);
  json_object *has_process;
  if (strcmp(status, "created") != 0) {
    bd_fail(err, 0, "container %s is %s, not created: only a created container starts", id, status);
    goto out;
  }
  if (json_object_object_get_ex(st.json, "process", &has_process) && !json_object_get_boolean(has_process)) {
    bd_fail(err, 0, "container %s has no process to start: its config.json has none", id);
    goto out;
  }
  if (state_path(g, id, "exec.fifo", fifo_path, sizeof fifo_path, err) < 0 || (pidfd = open_process(&st, err)) < 0) goto out;
  /* Non-blocking, so that a process gone meanwhile cannot hang us: we wait for its byte or its end. */
  if ((fifo = open(fifo_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
    bd_fail(err, errno, "open %s", fifo_path);
    goto out;
  }
  struct pollfd fds[2] = {{.fd = fifo, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
  for (;;) {
    ssize_t n = read(fifo, &byte, 1);
    if (n == 1) break;
    if (n < 0 && errno != EAGAIN) {
      bd_fail(err, errno, "read %s", fifo_path);
      goto out;
    }
    if (poll(fds, 2, -1) < 0 && errno != EINTR) {
      bd_fail(err, errno, "poll");
      goto out;
    }
    if ((fds[1].revents & POLLIN) && !(fds[0].revents & POLLIN)) {
      bd_fail(err, 0, "container %s ended before it started", id);
      goto out;
    }
  }
  unlink(fifo_path);
  rc = 0;
  struct bd_error hook_err;
  if (run_hooks(stored(&st, "hooks"), "poststart", id, "running", st.pid, st.bundle, stored(&st, "annotations"), &hook_err) < 0)
    report(g, hook_err.msg);
out:
  if (fifo >= 0) close(fifo);
  if (pidfd >= 0) close(pidfd);
  json_object_put(st.json);
  return rc;
}

static int cmd_state(const struct globals *g, const char *id, struct bd_error *err) {
  struct container_state st;
  if (load_state(g, id, &st, err) < 0) return -1;
  const char *status = status_of(g, &st);
  json_object *out = state_object(id, status, strcmp(status, "stopped") == 0 ? 0 : st.pid, st.bundle, stored(&st, "annotations"));
  static const char *const COPIED[] = {"rootfs", "created"};
  for (size_t i = 0; i < sizeof COPIED / sizeof COPIED[0]; i++)
    if (stored(&st, COPIED[i])) json_object_object_add(out, COPIED[i], json_object_get(stored(&st, COPIED[i])));
  json_object_object_add(out, "owner", json_object_new_string(""));
  printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(out);
  json_object_put(st.json);
  return 0;
}

static int parse_signal(const char *text, struct bd_error *err) {
  char *end;
  long n = strtol(text, &end, 10);
  if (*text && !*end) {
    if (n <= 0 || n >= NSIG) return bd_fail(err, 0, "invalid signal %s", text);
    return (int)n;
  }
  const char *name = strncmp(text, "SIG", 3) == 0 ? text + 3 : text;
  for (int sig = 1; sig < NSIG; sig++) {
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev && strcmp(abbrev, name) == 0) return sig;
  }
  return bd_fail(err, 0, "invalid signal %s", text);
}

/* Every process in the container's cgroup (kill --all). */
static int signal_cgroup(const struct oci_cgroup *cg, int sig, struct bd_error *err) {
  char path[PATH_MAX], line[32];
  if (bd_format(path, sizeof path, err, "%s/cgroup.procs", cg->dirs[0]) < 0) return -1;
  FILE *f = fopen(path, "re");
  if (!f) return bd_fail(err, errno, "open %s", path);
  while (fgets(line, sizeof line, f)) kill((pid_t)atoi(line), sig);
  fclose(f);
  return 0;
}

static int cmd_kill(const struct globals *g, int argc, char **argv, struct bd_error *err) {
  int all = 0, sig = SIGTERM;
  const char *id = NULL, *signame = NULL;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--all") == 0 || strcmp(argv[i], "-a") == 0) all = 1;
    else if (!id) id = argv[i];
    else signame = argv[i];
  }
  if (!id) return bd_fail(err, 0, "kill: give the container id");
  if (signame && (sig = parse_signal(signame, err)) < 0) return -1;
  struct container_state st;
  if (load_state(g, id, &st, err) < 0) return -1;
  int rc = -1, pidfd = open_process(&st, err);
  if (pidfd >= 0) {
    if (all) rc = signal_cgroup(&st.cg, sig, err);
    else if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) bd_fail(err, errno, "signal %s", id);
    else rc = 0;
    close(pidfd);
  }
  json_object_put(st.json);
  return rc;
}

static int cmd_delete(const struct globals *g, int argc, char **argv, struct bd_error *err) {
  int force = 0;
  const char *id = NULL;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0) force = 1;
    else id = argv[i];
  }
  if (!id) return bd_fail(err, 0, "delete: give the container id");
  struct container_state st;
  if (load_state(g, id, &st, err) < 0) {
    /* Deleting what is not there is done, with --force, as runc has it. */
    if (force && check_container_id(id, err) == 0) return 0;
    return -1;
  }
  const char *status = status_of(g, &st);
  if (strcmp(status, "stopped") != 0 && !force) {
    json_object_put(st.json);
    return bd_fail(err, 0, "container %s is %s: stop it first, or delete --force", id, status);
  }
  if (strcmp(status, "stopped") != 0) {
    struct bd_error ignored;
    oci_cgroup_freeze(&st.cg, 0, &ignored); /* a frozen process cannot die */
    int pidfd = open_process(&st, &ignored);
    if (pidfd >= 0) {
      struct pollfd p = {.fd = pidfd, .events = POLLIN};
      syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      poll(&p, 1, 10000);
      close(pidfd);
    }
  }
  char registry[PATH_MAX];
  if (registry_path(g, registry, sizeof registry, err) < 0) {
    json_object_put(st.json);
    return -1;
  }
  int rc = oci_cgroup_destroy(&st.cg, registry, err);
  remove_state(g, id);
  struct bd_error hook_err;
  if (run_hooks(stored(&st, "hooks"), "poststop", id, "stopped", st.pid, st.bundle, stored(&st, "annotations"), &hook_err) < 0)
    report(g, hook_err.msg);
  json_object_put(st.json);
  return rc;
}

/* exec: the process runs in the container's namespaces and cgroup, as
 * `process` (an exec's process.json, or the config's with other args) says.
 * The runtime forks a helper that joins the namespaces (by pidfd) and
 * clones the process as the runtime's own child (CLONE_PARENT): inside the
 * container's PID namespace, yet the runtime's to wait for (or, detached,
 * the caller's subreaper's). It waits until the runtime has moved it into
 * the cgroup; then it sets itself up and execs, or reports why not. */
static int exec_in(const struct container_state *st, const struct oci_spec *proc, int userns, int console_socket, int keep_fds, pid_t *pid,
                   int *failure_fd, struct bd_error *err) {
  int report[2], go[2], failure[2];
  struct bd_error e;
  if (pipe2(report, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0 || pipe2(failure, O_CLOEXEC) < 0) return bd_fail(err, errno, "pipe");
  int pidfd = open_process(st, err);
  if (pidfd < 0) return -1;
  pid_t helper = fork();
  if (helper < 0) return bd_fail(err, errno, "fork");
  if (helper == 0) {
    int joined = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP | (userns ? CLONE_NEWUSER : 0);
    if (setns(pidfd, joined) < 0) _exit(1);
    pid_t child = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
    if (child != 0) {
      ssize_t n = write(report[1], &child, sizeof child);
      _exit(child > 0 && n == sizeof child ? 0 : 1);
    }
    char byte;
    if (read(go[0], &byte, 1) != 1) _exit(1);
    if ((console_socket >= 0 && attach_console(console_socket, &e) < 0) || oci_setup_process(proc, &e) < 0 || cloexec_from(3 + keep_fds, &e) < 0)
      goto failed;
    execvpe(proc->args[0], proc->args, proc->env);
    bd_fail(&e, errno, "exec %s", proc->args[0]);
  failed:
    if (write(failure[1], e.msg, strlen(e.msg)) < 0) _exit(126);
    _exit(errno == ENOENT ? 127 : 126);
  }
  close(pidfd);
  close(report[1]);
  close(go[0]);
  close(failure[1]);
  int status;
  ssize_t n = read(report[0], pid, sizeof *pid);
  close(report[0]);
  waitpid(helper, &status, 0);
  if (n != sizeof *pid) {
    close(go[1]);
    close(failure[0]);
    return bd_fail(err, 0, "join the namespaces of container %s", st->id);
  }
  if (oci_cgroup_join(&st->cg, *pid, err) < 0 || write(go[1], "g", 1) != 1) {
    kill(*pid, SIGKILL);
    waitpid(*pid, NULL, 0);
    close(go[1]);
    close(failure[0]);
    return -1;
  }
  close(go[1]);
  *failure_fd = failure[0];
  return 0;
}

static int cmd_exec(const struct globals *g, int argc, char **argv, struct bd_error *err) {
  const char *process_file = NULL, *pid_file = NULL, *console_path = NULL, *id = NULL;
  int detach = 0, tty = 0, keep_fds = 0, first_arg = argc;
  for (int i = 0; i < argc && !id; i++) {
    const char *a = argv[i];
    if ((strcmp(a, "--process") == 0 || strcmp(a, "-p") == 0) && i + 1 < argc) process_file = argv[++i];
    else if (strcmp(a, "--detach") == 0 || strcmp(a, "-d") == 0) detach = 1;
    else if (strcmp(a, "--tty") == 0 || strcmp(a, "-t") == 0) tty = 1;
    else if (strcmp(a, "--pid-file") == 0 && i + 1 < argc) pid_file = argv[++i];
    else if (strcmp(a, "--console-socket") == 0 && i + 1 < argc) console_path = argv[++i];
    else if (strcmp(a, "--preserve-fds") == 0 && i + 1 < argc) keep_fds = atoi(argv[++i]);
    else if (a[0] == '-') return bd_fail(err, 0, "exec: unknown option %s", a);
    else {
      id = a;
      first_arg = i + 1;
    }
  }
  if (!id) return bd_fail(err, 0, "exec: give the container id");
  struct container_state st;
  struct oci_spec proc;
  char config[PATH_MAX];
  if (load_state(g, id, &st, err) < 0) return -1;
  int rc = -1, console_socket = -1, failure = -1, userns = 0;
  pid_t pid = -1;
  memset(&proc, 0, sizeof proc);
  if (bd_format(config, sizeof config, err, "%s/config.json", st.bundle ? st.bundle : ".") < 0) goto out;
  if (process_file) {
    /* That process, under the container's seccomp filter (the config's), as runc does. */
    struct oci_spec container;
    if (oci_process_load(process_file, &proc, err) < 0 || oci_spec_load(config, &container, err) < 0) goto out;
    userns = oci_spec_namespace(&container, CLONE_NEWUSER, NULL);
    proc.seccomp = container.seccomp;
    container.seccomp = NULL;
    oci_spec_free(&container);
  } else {
    /* The config's process, with these args. */
    if (first_arg >= argc) {
      bd_fail(err, 0, "exec: give --process FILE, or the command after the id");
      goto out;
    }
    if (oci_spec_load(config, &proc, err) < 0) goto out;
    userns = oci_spec_namespace(&proc, CLONE_NEWUSER, NULL);
    if (argc - first_arg > OCI_MAX_ITEMS) {
      bd_fail(err, 0, "exec: at most %d arguments", OCI_MAX_ITEMS);
      goto out;
    }
    for (int i = first_arg; i <= argc; i++) proc.args[i - first_arg] = i < argc ? argv[i] : NULL;
    proc.terminal = tty;
  }
  if (proc.terminal != (console_path != NULL)) {
    bd_fail(err, 0, proc.terminal ? "the process asks for a terminal: give --console-socket" : "--console-socket is for a terminal (--tty)");
    goto out;
  }
  const char *status = status_of(g, &st);
  if (strcmp(status, "running") != 0) {
    bd_fail(err, 0, "container %s is %s: exec needs it running", id, status);
    goto out;
  }
  if (console_path && (console_socket = connect_unix(console_path, err)) < 0) goto out;
  if (exec_in(&st, &proc, userns, console_socket, keep_fds, &pid, &failure, err) < 0) goto out;
  char why[BD_ERR_LEN];
  ssize_t n = read(failure, why, sizeof why - 1);
  if (n > 0) {
    why[n] = '\0';
    waitpid(pid, NULL, 0);
    bd_fail(err, 0, "%s", why);
    goto out;
  }
  if (pid_file && write_pid_file(pid_file, pid, err) < 0) goto out;
  if (detach) {
    rc = 0;
    goto out;
  }
  int wstatus;
  while (waitpid(pid, &wstatus, 0) < 0)
    if (errno != EINTR) {
      bd_fail(err, errno, "wait for the exec'd process");
      goto out;
    }
  rc = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
out:
  if (failure >= 0) close(failure);
  if (console_socket >= 0) close(console_socket);
  oci_spec_free(&proc);
  json_object_put(st.json);
  return rc;
}

/* update --resources FILE ID: new limits for a live container. */
static int cmd_update(const struct globals *g, int argc, char **argv, struct bd_error *err) {
  const char *file = NULL, *id = NULL;
  for (int i = 0; i < argc; i++) {
    if ((strcmp(argv[i], "--resources") == 0 || strcmp(argv[i], "-r") == 0) && i + 1 < argc) file = argv[++i];
    else if (strncmp(argv[i], "--resources=", 12) == 0) file = argv[i] + 12;
    else if (argv[i][0] == '-') return bd_fail(err, 0, "update: only --resources FILE is supported, not %s", argv[i]);
    else id = argv[i];
  }
  if (!id || !file) return bd_fail(err, 0, "update: give --resources FILE and the container id");
  struct container_state st;
  struct oci_resources resources;
  void *doc = NULL;
  if (load_state(g, id, &st, err) < 0) return -1;
  int rc = oci_resources_load(file, &resources, &doc, err) < 0 ? -1 : oci_cgroup_update(&st.cg, &resources, err);
  if (doc) json_object_put(doc);
  json_object_put(st.json);
  return rc;
}

/* pause and resume: the freezer. */
static int cmd_freeze(const struct globals *g, const char *id, int frozen, struct bd_error *err) {
  struct container_state st;
  if (load_state(g, id, &st, err) < 0) return -1;
  const char *status = status_of(g, &st);
  int rc = -1;
  if (strcmp(status, frozen ? "running" : "paused") != 0)
    bd_fail(err, 0, "container %s is %s: %s", id, status, frozen ? "only a running one pauses" : "only a paused one resumes");
  else rc = oci_cgroup_freeze(&st.cg, frozen, err);
  json_object_put(st.json);
  return rc;
}

/* ps [--format json|table] ID: the container's processes (host PIDs). */
static int cmd_ps(const struct globals *g, int argc, char **argv, struct bd_error *err) {
  const char *id = NULL;
  int json = 0;
  for (int i = 0; i < argc; i++) {
    if ((strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0) && i + 1 < argc) json = strcmp(argv[++i], "json") == 0;
    else id = argv[i];
  }
  if (!id) return bd_fail(err, 0, "ps: give the container id");
  struct container_state st;
  if (load_state(g, id, &st, err) < 0) return -1;
  char path[PATH_MAX], line[32];
  int formatted = bd_format(path, sizeof path, err, "%s/cgroup.procs", st.cg.ndirs ? st.cg.dirs[0] : "");
  json_object_put(st.json);
  if (formatted < 0) return -1;
  FILE *f = fopen(path, "re");
  if (!f) return bd_fail(err, errno, "open %s", path);
  json_object *pids = json_object_new_array();
  if (!json) printf("PID\n");
  while (fgets(line, sizeof line, f)) {
    if (json) json_object_array_add(pids, json_object_new_int(atoi(line)));
    else printf("%d\n", atoi(line));
  }
  fclose(f);
  if (json) printf("%s\n", json_object_to_json_string_ext(pids, JSON_C_TO_STRING_PLAIN));
  json_object_put(pids);
  return 0;
}

/* list [-q | --quiet] [--format table|json]: every container under --root. */
static int cmd_list(const struct globals *g, int argc, char **argv, struct bd_error *err) {
  int quiet = 0, json = 0;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) quiet = 1;
    else if ((strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0) && i + 1 < argc) json = strcmp(argv[++i], "json") == 0;
    else return bd_fail(err, 0, "list: unknown option %s", argv[i]);
  }
  DIR *d = opendir(g->root);
  if (!d && errno != ENOENT) return bd_fail(err, errno, "open %s", g->root);
  json_object *all = json_object_new_array();
  if (!quiet && !json) printf("%-40s %-8s %-8s %s\n", "ID", "PID", "STATUS", "BUNDLE");
  for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
    struct container_state st;
    struct bd_error skipped;
    if (e->d_name[0] == '.' || load_state(g, e->d_name, &st, &skipped) < 0) continue;
    const char *status = status_of(g, &st);
    pid_t pid = strcmp(status, "stopped") == 0 ? 0 : st.pid;
    if (quiet) {
      printf("%s\n", st.id);
    } else if (json) {
      json_object *one = json_object_new_object();
      json_object_object_add(one, "id", json_object_new_string(st.id));
      json_object_object_add(one, "pid", json_object_new_int(pid));
      json_object_object_add(one, "status", json_object_new_string(status));
      json_object_object_add(one, "bundle", json_object_new_string(st.bundle ? st.bundle : ""));
      json_object_array_add(all, one);
    } else {
      printf("%-40s %-8d %-8s %s\n", st.id, (int)pid, status, st.bundle ? st.bundle : "");
    }
    json_object_put(st.json);
  }
  if (d) closedir(d);
  if (json) printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(all);
  return 0;
}

static int cmd_features(void) {
  printf("{\n  \"ociVersionMin\": \"1.0.0\",\n  \"ociVersionMax\": \"" SPEC_VERSION
         "\",\n"
         "  \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", \"startContainer\", \"poststart\", \"poststop\"],\n"
         "  \"mountOptions\": [\"ro\", \"rw\", \"nosuid\", \"nodev\", \"noexec\", \"bind\", \"rbind\"],\n"
         "  \"linux\": {\n    \"namespaces\": [\"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", \"user\", \"uts\"],\n"
         "    \"cgroup\": {\"v1\": true, \"v2\": true, \"systemd\": false},\n"
         "    \"seccomp\": {\"enabled\": true, \"actions\": [\"SCMP_ACT_ALLOW\", \"SCMP_ACT_ERRNO\", \"SCMP_ACT_KILL\", "
         "\"SCMP_ACT_KILL_PROCESS\", \"SCMP_ACT_KILL_THREAD\", \"SCMP_ACT_LOG\", \"SCMP_ACT_TRACE\", \"SCMP_ACT_TRAP\"]}\n  }\n}\n");
  return 0;
}

int main(int argc, char **argv) {
  struct globals g = {.root = DEFAULT_ROOT};
  struct bd_error err = {0};
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--version") == 0 || strcmp(a, "-v") == 0) {
      printf("baby-docker-runc version " VERSION "\nspec: " SPEC_VERSION "\n");
      return 0;
    }
    if (strcmp(a, "--debug") == 0) continue;
    if (strcmp(a, "--systemd-cgroup") == 0) return report(&g, "--systemd-cgroup: systemd cgroups are not supported: leave the flag out (cgroupfs)");
    if (i + 1 >= argc) break;
    if (strcmp(a, "--root") == 0) g.root = argv[++i];
    else if (strcmp(a, "--log") == 0) g.log = argv[++i];
    else if (strcmp(a, "--log-format") == 0) g.log_format = argv[++i];
    else break;
  }
  if (i >= argc) return report(&g, "give a command: create, start, state, kill, delete, exec, pause, resume, update, ps, list or features");
  const char *cmd = argv[i++];
  int rest = argc - i, rc;
  char **args = argv + i;
  if (strcmp(cmd, "create") == 0) rc = cmd_create(&g, rest, args, &err);
  else if (strcmp(cmd, "start") == 0) rc = rest >= 1 ? cmd_start(&g, args[0], &err) : bd_fail(&err, 0, "start: give the container id");
  else if (strcmp(cmd, "state") == 0) rc = rest >= 1 ? cmd_state(&g, args[0], &err) : bd_fail(&err, 0, "state: give the container id");
  else if (strcmp(cmd, "kill") == 0) rc = cmd_kill(&g, rest, args, &err);
  else if (strcmp(cmd, "delete") == 0) rc = cmd_delete(&g, rest, args, &err);
  else if (strcmp(cmd, "list") == 0) rc = cmd_list(&g, rest, args, &err);
  else if (strcmp(cmd, "exec") == 0) rc = cmd_exec(&g, rest, args, &err);
  else if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0)
    rc = rest >= 1 ? cmd_freeze(&g, args[0], cmd[0] == 'p', &err) : bd_fail(&err, 0, "%s: give the container id", cmd);
  else if (strcmp(cmd, "ps") == 0) rc = cmd_ps(&g, rest, args, &err);
  else if (strcmp(cmd, "update") == 0) rc = cmd_update(&g, rest, args, &err);
  else if (strcmp(cmd, "features") == 0) rc = cmd_features();
  else rc = bd_fail(&err, 0, "unknown command %s: use create, start, state, kill, delete, exec, pause, resume, update, ps, list or features", cmd);
  return rc < 0 ? report(&g, err.msg) : rc; /* exec without --detach: its process's exit code */
}
