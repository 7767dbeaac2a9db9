/* baby-docker-shim: starts one container and stays beside it as its monitor,
 * like containerd-shim or conmon. The runtime API (src/runtime) spawns it:
 * with pipes for stdio.
 *
 *   baby-docker-shim --id ID --rootfs DIR --hostname NAME --memory BYTES
 *       --pids N --parent PID --status-fd FD [--tty --console-fd FD --console-size COLSxROWS]
 *       [--init] (--caps MASK | --no-hardening) [--env K=V]...
 *       [--user USER[:GROUP]] [--workdir DIR] [--read-only] [--name NAME]
 *       [--layer-template FILE [--keep-layer FILE] | --layer FILE] [--lower DIR]...
 *       [--bind SOURCE:TARGET[:ro]]... [--tmpfs TARGET[:OPTIONS]]...
 *       [--network-host | (--network-bridge | --network-default) [--subnet CIDR] [--iptables] [--publish PROTO:HOSTPORT:PORT[:HOSTIP]]...]
 *       -- COMMAND [ARGS...]
 * starts COMMAND in a new container on DIR: the lower layer of an overlay
 * whose upper layer is the writable layer (see layer.h), or, with no layer
 * option, DIR itself. With --lower (an image's layers, topmost first) those
 * are the lower layers and DIR is only what ps shows (the image's name).
 *
 *   baby-docker-shim --exec ID --parent PID --status-fd FD
 *       [--tty --console-fd FD --console-size COLSxROWS] [--env K=V]... -- COMMAND [ARGS...]
 * runs a command inside the running container ID, on the shim's own stdio
 * (with --tty, a pty of the container), with the
 * container's environment (its state directory records it, and the
 * hardening; --env adds to it) and exits with its code.
 *
 * It reports to its caller on a status channel, one message a line with
 * tab-separated fields:
 *   start <host pid> <cgroup version> <memory cgroup dir> <pids cgroup dir>
 *         <network: bridge, none or host> <address/prefix> <gateway>
 *         <why --network-default fell back to none>  ("" each where none)
 *         (for --exec, the host PID is the exec'd command's, and no network fields)
 *   exit  <code> <signal name or ""> <OOM kills> <memory peak> <memory limit>
 *         <error message or "">
 * (--exec's "exit" has no memory fields.)
 * The three memory fields are read from the cgroup once the container has
 * ended (so a run of a few milliseconds has them too); all are "" when it
 * has no memory cgroup, the peak is "" when the kernel keeps none, and a
 * limit of 0 means none.
 * The lines go to --status-fd. Never on the container's stdio or terminal:
 * the container could jam or forge them there (tcflow, a line discipline,
 * its own output).
 *
 * With --tty the command's terminal is a pty of the container's devpts, of
 * --console-size. Its master is handed over on the unix socket --console-fd
 * before "start" (as runc's --console-socket does): the caller reads, writes
 * and sizes the pty itself, with no relay between.
 *
 * Signals it receives go to the container (or the exec'd command);
 * SHIM_KILL_SIGNAL (also what it gets when its parent dies) kills it instead. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "console.h"
#include "container.h"
#include "layer.h"
#include "linux.h"
#include "netfiles.h"
#include "network.h"
#include "relay.h"
#include "sealed_exe.h"
#include "state.h"
#include "utils.h"

#define SHIM_KILL_SIGNAL SIGRTMIN
#define MAX_ENV 256

struct shim_options {
  struct container_config config;
  struct cgroup_limits limits;
  int status_fd;
  int console_fd; /* --console-fd: where the console's master goes, with --tty */
  pid_t parent;
  int exec;                                        /* --exec: run in container config.id instead of starting one */
  const char *name;                                /* --name: held for the run (see state.h) */
  const char *layer_template, *keep_layer, *layer; /* the writable layer (see layer.h); none: run on the rootfs itself */
  int hardening_off;
  int bridge;                           /* --network-bridge: on the bridge network (see network.h) */
  int bridge_by_default;                /* --network-default: the bridge, or none where the host cannot make one */
  struct nat_port ports[MAX_PUBLISHED]; /* --publish */
  struct bridge_config bridge_config;   /* --subnet: the bridge's, when it is made; --iptables */
  size_t nports;
  char *env[MAX_ENV + 1];
};

static void status_send(int fd, const char *fmt, ...) {
  char line[BD_ERR_LEN + 3 * PATH_MAX];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof line - 1) n = sizeof line - 2;
  for (char *p = line; p < line + n; p++)
    if (*p == '\n') *p = ' ';
  line[n++] = '\n';
  for (ssize_t off = 0, w; off < n; off += w) {
    w = write(fd, line + off, n - off);
    if (w < 0 && errno == EINTR) w = 0;
    if (w < 0) return;
  }
}

/* The memory fields of "exit": OOM kills, peak and limit, or "" each. */
static void memory_fields(const struct cgroup *cg, char *out, size_t len) {
  struct cgroup_stats s;
  struct bd_error ignored;
  if (cgroup_read_stats(cg, &s, &ignored) < 0 || !s.has_memory) {
    snprintf(out, len, "\t\t");
    return;
  }
  char peak[32] = "";
  if (s.has_peak) snprintf(peak, sizeof peak, "%llu", (unsigned long long)s.memory_peak);
  snprintf(out, len, "%llu\t%s\t%llu", (unsigned long long)s.oom_kills, peak, (unsigned long long)s.memory_limit);
}

/* Tabs separate fields: keep them out of free text. */
static void untab(char *s) {
  for (; *s; s++)
    if (*s == '\t') *s = ' ';
}

static int parse_u64(const char *s, unsigned long long *out) {
  char *end;
  errno = 0;
  *out = strtoull(s, &end, 10);
  return (errno || end == s || *end || s[0] == '-') ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct shim_options *o, struct bd_error *err) {
  int nenv = 0, i;
  unsigned long long v;
  memset(o, 0, sizeof *o);
  o->status_fd = o->console_fd = -1;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--") == 0) break;
    if (strcmp(a, "--tty") == 0) {
      o->config.tty = 1;
      continue;
    }
    if (strcmp(a, "--init") == 0) {
      o->config.use_init = 1;
      continue;
    }
    if (strcmp(a, "--no-hardening") == 0) {
      o->hardening_off = 1;
      continue;
    }
    if (strcmp(a, "--read-only") == 0) {
      o->config.read_only = 1;
      continue;
    }
    if (strcmp(a, "--network-host") == 0) {
      o->config.host_network = 1;
      continue;
    }
    if (strcmp(a, "--network-bridge") == 0) {
      o->bridge = 1;
      continue;
    }
    if (strcmp(a, "--network-default") == 0) {
      o->bridge = o->bridge_by_default = 1;
      continue;
    }
    if (strcmp(a, "--iptables") == 0) {
      o->bridge_config.iptables = 1;
      continue;
    }
    if (!val) return bd_fail(err, 0, "shim: %s needs a value", a);
    i++;
    if (strcmp(a, "--id") == 0) o->config.id = val;
    else if (strcmp(a, "--rootfs") == 0) o->config.rootfs = val;
    else if (strcmp(a, "--hostname") == 0) o->config.hostname = val;
    else if (strcmp(a, "--user") == 0) o->config.user = val;
    else if (strcmp(a, "--name") == 0) o->name = val;
    else if (strcmp(a, "--workdir") == 0) o->config.workdir = val;
    else if (strcmp(a, "--layer-template") == 0) o->layer_template = val;
    else if (strcmp(a, "--keep-layer") == 0) o->keep_layer = val;
    else if (strcmp(a, "--layer") == 0) o->layer = val;
    else if (strcmp(a, "--lower") == 0 && val) {
      if (o->config.nlowers == MAX_LOWERS) return bd_fail(err, 0, "too many lower layers (at most %d)", MAX_LOWERS);
      o->config.lowers[o->config.nlowers++] = val;
    } else if ((strcmp(a, "--bind") == 0 || strcmp(a, "--tmpfs") == 0) && val) {
      if (o->config.nvolumes == MAX_VOLUMES) return bd_fail(err, 0, "too many volumes (at most %d)", MAX_VOLUMES);
      struct volume *v = &o->config.volumes[o->config.nvolumes++];
      /* argv's strings are ours to split in place. */
      int bind = strcmp(a, "--bind") == 0;
      if ((bind ? volume_parse_bind((char *)val, v, err) : volume_parse_tmpfs((char *)val, v, err)) < 0) return -1;
    } else if (strcmp(a, "--subnet") == 0) {
      if (network_parse_subnet(val, &o->bridge_config.subnet, err) < 0) return -1;
    } else if (strcmp(a, "--publish") == 0) {
      if (o->nports == MAX_PUBLISHED) return bd_fail(err, 0, "too many published ports (at most %d)", MAX_PUBLISHED);
      if (network_parse_publish(val, &o->ports[o->nports++], err) < 0) return -1;
    } else if (strcmp(a, "--env") == 0 && nenv < MAX_ENV) o->env[nenv++] = (char *)val;
    else if (strcmp(a, "--console-size") == 0) {
      char end;
      struct winsize *size = &o->config.console_size;
      if (sscanf(val, "%hux%hu%c", &size->ws_col, &size->ws_row, &end) != 2) return bd_fail(err, 0, "shim: bad value for %s: %s", a, val);
    } else if (strcmp(a, "--exec") == 0) {
      o->config.id = val;
      o->exec = 1;
    } else if (parse_u64(val, &v) < 0) return bd_fail(err, 0, "shim: bad value for %s: %s", a, val);
    else if (strcmp(a, "--memory") == 0) o->limits.memory = v;
    else if (strcmp(a, "--pids") == 0) o->limits.pids = v;
    else if (strcmp(a, "--status-fd") == 0) o->status_fd = (int)v;
    else if (strcmp(a, "--console-fd") == 0) o->console_fd = (int)v;
    else if (strcmp(a, "--parent") == 0) o->parent = (pid_t)v;
    else if (strcmp(a, "--caps") == 0) {
      o->config.caps = v;
      o->config.hardened = 1;
    } else return bd_fail(err, 0, "shim: unknown option %s", a);
  }
  o->config.envp = o->env;
  o->config.argv = i + 1 < argc ? argv + i + 1 : NULL;
  if (o->config.id && check_container_id(o->config.id, err) < 0) return -1;
  int console = o->config.tty ? o->console_fd >= 0 && o->config.console_size.ws_col && o->config.console_size.ws_row
                              : o->console_fd < 0 && !o->config.console_size.ws_col;
  int common = o->config.id && o->config.argv && o->status_fd >= 0 && o->parent && console;
  int complete = o->exec ? !o->config.rootfs && !o->config.hardened && !o->hardening_off
                         : o->config.rootfs && o->config.hostname && o->limits.pids && o->config.hardened != o->hardening_off &&
                               !(o->layer_template && o->layer) && (!o->keep_layer || o->layer_template) &&
                               (!o->config.nlowers || o->layer_template || o->layer) && !(o->bridge && o->config.host_network) &&
                               (o->bridge || !o->nports);
  return common && complete ? 0 : bd_fail(err, 0, "shim: missing options (see the usage in native/shim.c)");
}

/* The process the shim watches: the container's first (with its cgroup) or an exec'd command. */
struct watched {
  pid_t pid;
  const struct cgroup *cg; /* NULL for an exec'd command */
  int status;
};

/* A signal the shim received: SIGCHLD reaps the watched process (1 once it
 * has ended, its wait status kept), SHIM_KILL_SIGNAL kills it, others go on to it. */
static int on_signal(int sig, void *arg) {
  struct watched *w = arg;
  if (sig == SIGCHLD) return waitpid(w->pid, &w->status, WNOHANG) == w->pid;
  if (sig == SHIM_KILL_SIGNAL) {
    if (w->cg) cgroup_kill(w->cg);
    kill(w->pid, SIGKILL); /* PID 1 takes its whole namespace with it */
  } else if (sig > 0) {
    kill(w->pid, sig);
  }
  return 0;
}

/* Wait for the watched process, passing signals on; its wait status. */
static int monitor(pid_t pid, const struct cgroup *cg) {
  struct watched w = {pid, cg, 0};
  sigset_t all;
  sigfillset(&all);
  for (;;) {
    siginfo_t info;
    if (on_signal(sigwaitinfo(&all, &info), &w)) return w.status;
  }
}

/* The console's master goes to the caller (--console-fd), which serves it from now on. */
static int hand_over_console(struct shim_options *o, int *console, struct bd_error *err) {
  int rc = send_fd(o->console_fd, *console, err);
  close(*console);
  *console = -1;
  close(o->console_fd);
  o->console_fd = -1;
  return rc < 0 ? bd_wrap(err, "hand over the console") : 0;
}

/* What `baby-docker ps` shows of a run; newlines and tabs in the command become spaces. */
static int record_info(const struct state *st, const struct container_config *c, struct bd_error *err) {
  char command[2 * PATH_MAX] = "", info[4 * PATH_MAX];
  size_t len = 0;
  for (char **arg = c->argv; *arg && len < sizeof command; arg++)
    len += (size_t)snprintf(command + len, sizeof command - len, "%s%s", arg == c->argv ? "" : " ", *arg);
  for (char *p = command; *p; p++)
    if (*p == '\n' || *p == '\t') *p = ' ';
  snprintf(info, sizeof info, "started\t%lld\nrootfs\t%s\ncommand\t%s\n", (long long)time(NULL), c->rootfs, command);
  return state_write(st, "info", info, err);
}

/* The container on the bridge. --network-default falls back to none (its
 * own namespace, lo alone) where the host cannot make the bridge or a veth;
 * `fallback` then says why. */
static int join_bridge(struct shim_options *o, const struct state *st, pid_t pid, struct network_lease *lease, char *fallback, size_t len,
                       struct bd_error *err) {
  if (network_attach(o->config.id, pid, o->ports, o->nports, &o->bridge_config, lease, err) == 0)
    return netfiles_set_address(st, o->config.hostname, lease->addr, err);
  if (!o->bridge_by_default || !lease->unsupported || o->nports) return -1;
  snprintf(fallback, len, "%s", err->msg);
  err->msg[0] = '\0';
  return 0;
}

/* The start message's network fields: mode, address/prefix, gateway, why the bridge fell back. */
static void network_fields(const struct shim_options *o, const struct network_lease *lease, const char *fallback, char *out, size_t len) {
  char address[INET_ADDRSTRLEN] = "", gateway[INET_ADDRSTRLEN] = "";
  struct in_addr addr = {lease->addr}, gw = {lease->gateway};
  if (o->bridge && !fallback[0]) {
    inet_ntop(AF_INET, &addr, address, sizeof address);
    inet_ntop(AF_INET, &gw, gateway, sizeof gateway);
    snprintf(out, len, "bridge\t%s/%d\t%s\t", address, lease->prefix, gateway);
  } else {
    snprintf(out, len, "%s\t\t\t%s", o->config.host_network ? "host" : "none", fallback);
  }
}

static int run(struct shim_options *o) {
  struct bd_error err = {0}, exec_err = {0}, ignored;
  struct state st = {"", -1};
  struct cgroup cg;
  int have_cgroup = 0, sync_fd = -1, name_fd = -1, console = -1, code = BD_EXIT_RUNTIME;
  unsigned mount_points = 0;
  struct layer layer = {-1, -1, ""};
  struct network_lease lease = {.id = ""};
  struct netfiles netfiles;
  char fallback[BD_ERR_LEN] = "", network_info[BD_ERR_LEN + 64];
  enum netfiles_network network = o->bridge ? NETFILES_BRIDGE : o->config.host_network ? NETFILES_HOST : NETFILES_NONE;
  char layer_dir[PATH_MAX], root_dir[PATH_MAX];
  const char *signame = "";
  char memory[96] = "\t\t";
  pid_t pid = -1, holder = -1;
  struct relay relay;
  for (int i = 0; i < 3; i++) relay.container[i] = relay.ours[i] = -1;
  relay.running = 0;
  for (int i = 0; i < 3; i++) o->config.stdio[i] = -1;

  if (geteuid() != 0) {
    bd_fail(&err, 0, "baby-docker must run as root (try: sudo)");
    goto report;
  }
  if (state_create(o->config.id, &st, &err) < 0) {
    bd_wrap(&err, "record run %s", o->config.id);
    goto report;
  }
  if (o->name && ((name_fd = state_claim_name(o->name, o->config.id, &err)) < 0 || state_write(&st, "name", o->name, &err) < 0)) goto cleanup;
  if (netfiles_prepare(&st, o->config.hostname, network, &netfiles, o->config.volumes, &o->config.nvolumes, MAX_VOLUMES, &err) < 0) goto cleanup;
  if (cgroup_plan(o->config.id, &o->limits, &cg, &err) < 0 || state_record_cgroup(&st, &cg, &err) < 0) goto cleanup;
  have_cgroup = 1;
  if (cgroup_create(&cg, &o->limits, &err) < 0) {
    bd_wrap(&err, "create the run's cgroups");
    goto cleanup;
  }
  o->config.cgroup_version = cg.version;
  o->config.cgroup_memory = cg.memory[0] != '\0';
  if (o->layer_template || o->layer) {
    if (layer_attach(o->layer_template, o->keep_layer, o->layer, &layer, &err) < 0 ||
        state_mount_dir(&st, "layer", layer_dir, sizeof layer_dir, &err) < 0 || state_mount_dir(&st, "root", root_dir, sizeof root_dir, &err) < 0) {
      bd_wrap(&err, "make the run's fresh layer");
      goto cleanup;
    }
    o->config.layer_dev = layer.dev;
    o->config.layer_dir = layer_dir;
    o->config.root_dir = root_dir;
  } else if (make_mount_points(o->config.rootfs, &mount_points, &err) < 0) {
    goto cleanup;
  }
  if (!o->config.tty) {
    if (relay_open(&relay, &err) < 0 || relay_start(&relay, &err) < 0) goto cleanup;
    for (int i = 0; i < 3; i++) o->config.stdio[i] = relay.container[i];
  }
  int cgroup_fd = cgroup_open_for_clone(&cg), in_cgroup;
  pid = container_clone(&o->config, cgroup_fd, &in_cgroup, &sync_fd, &holder, &err);
  if (cgroup_fd >= 0) close(cgroup_fd);
  relay_handed_over(&relay);
  if (pid < 0) {
    bd_wrap(&err, "start the container");
    goto cleanup;
  }
  char value[32];
  snprintf(value, sizeof value, "%d\n", (int)pid);
  /* The container's first process sets itself up meanwhile, then waits for GO: what ps and exec
   * read of the run is recorded, and its network is ready, before it execs. */
  if (state_write(&st, "pid", value, &err) < 0 || record_info(&st, &o->config, &err) < 0 ||
      state_record_exec(&st, o->config.hardened, o->config.caps, o->env, &err) < 0 ||
      (o->bridge && join_bridge(o, &st, pid, &lease, fallback, sizeof fallback, &err) < 0) || (!in_cgroup && cgroup_join(&cg, pid, &err) < 0) ||
      sync_send(sync_fd, SYNC_GO, NULL) < 0 || sync_recv(sync_fd, &err) != SYNC_READY) {
    if (!err.msg[0]) bd_fail(&err, 0, "the container's first process died during setup");
    goto kill_child;
  }
  if (o->config.tty && ((console = recv_fd(sync_fd, &err)) < 0 || hand_over_console(o, &console, &err) < 0)) goto kill_child;
  network_fields(o, &lease, fallback, network_info, sizeof network_info);
  status_send(o->status_fd, "start\t%d\t%d\t%s\t%s\t%s", (int)pid, cg.version, cg.memory, cg.pids, network_info);
  if (sync_send(sync_fd, SYNC_GO, NULL) < 0) {
    bd_fail(&err, errno, "write sync channel");
    goto kill_child;
  }
  if (sync_recv(sync_fd, &exec_err) == SYNC_ERROR) err = exec_err; /* 126 / 127 */
  close(sync_fd);
  sync_fd = -1;
  /* What dead runs left goes now, while the container runs: off its start. */
  state_gc(0, &ignored);
  int status = monitor(pid, &cg);
  pid = -1;
  relay_finish(&relay); /* all its output delivered before "exit" */
  code = err.msg[0] ? err.exit_code : exit_code_of(status);
  if (WIFSIGNALED(status) && !err.msg[0]) signame = sigabbrev_np(WTERMSIG(status));
  memory_fields(&cg, memory, sizeof memory);
  goto cleanup;

kill_child:
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  pid = -1;
  /* A setup that failed first says why: prefer its message. */
  if (sync_recv(sync_fd, &exec_err) == SYNC_ERROR) err = exec_err;
cleanup:
  /* The container's first process is reaped (monitor, kill_child), and with it every process of its
   * namespace: the holder's own, now empty, goes while we clean up, and is reaped at the end. */
  if (holder > 0) kill(holder, SIGKILL);
  if (sync_fd >= 0) close(sync_fd);
  if (console >= 0) close(console);
  relay_finish(&relay);
  remove_mount_points(o->config.rootfs, mount_points);
  layer_release(&layer);     /* after the container: its mount namespace went with it */
  network_detach(&lease, 1); /* every process of the container is reaped: its namespace, and with it the veth, are going */
  if (have_cgroup && cgroup_destroy(&cg, &ignored) < 0 && !err.msg[0]) err = ignored;
  if (holder > 0)
    for (pid_t reaped; (reaped = waitpid(-1, NULL, 0)) != holder;)
      if (reaped < 0 && errno != EINTR) break;
  if (o->name) state_release_name(o->name, name_fd);
  state_remove(&st);
report:
  if (err.msg[0] && code == BD_EXIT_RUNTIME) code = err.exit_code ? err.exit_code : BD_EXIT_RUNTIME;
  untab(err.msg);
  status_send(o->status_fd, "exit\t%d\t%s%s\t%s\t%s", code, signame[0] ? "SIG" : "", signame, memory, err.msg);
  return code;
}

/* The container's recorded environment with --env's entries put over it, by name. */
static int exec_env(struct exec_state *x, char **extra, struct bd_error *err) {
  size_t count = 0;
  while (x->env[count]) count++;
  for (; *extra; extra++) {
    size_t name = strcspn(*extra, "=") + 1, i = 0;
    while (i < count && strncmp(x->env[i], *extra, name) != 0) i++;
    if (i == count && count == STATE_ENV_MAX) return bd_fail(err, 0, "too many environment variables (at most %d)", STATE_ENV_MAX);
    x->env[i] = *extra;
    if (i == count) x->env[++count] = NULL;
  }
  return 0;
}

/* --exec: a command in a running container, reported as a run is. */
static int exec_in(struct shim_options *o) {
  struct bd_error err = {0}, exec_err;
  static struct exec_state x; /* 64 KiB of environment: not on the stack */
  int code = BD_EXIT_RUNTIME, sync_fd = -1, console = -1, status;
  const char *signame = "";
  pid_t child = -1;
  if (geteuid() != 0) bd_fail(&err, 0, "baby-docker must run as root (try: sudo)");
  else if (state_read_exec(o->config.id, &x, &err) == 0 && exec_env(&x, o->env, &err) == 0) {
    o->config.envp = x.env;
    o->config.hardened = x.hardened;
    o->config.caps = x.caps;
    child = container_exec(x.pid, &x.cg, &o->config, &sync_fd, &console, &err);
    if (child < 0) bd_wrap(&err, "exec into run %s", o->config.id);
  }
  if (child > 0 && console >= 0 && hand_over_console(o, &console, &err) < 0) {
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(sync_fd);
    child = -1;
  }
  if (child > 0) {
    status_send(o->status_fd, "start\t%d\t%d\t%s\t%s", (int)child, x.cg.version, x.cg.memory, x.cg.pids);
    if (sync_recv(sync_fd, &exec_err) == SYNC_ERROR) err = exec_err; /* 125, 126, 127 */
    close(sync_fd);
    status = monitor(child, NULL);
    code = err.msg[0] ? err.exit_code : exit_code_of(status);
    if (WIFSIGNALED(status) && !err.msg[0]) signame = sigabbrev_np(WTERMSIG(status));
  }
  untab(err.msg);
  status_send(o->status_fd, "exit\t%d\t%s%s\t\t\t\t%s", code, signame[0] ? "SIG" : "", signame, err.msg);
  return code;
}

static char **copy_arguments(int argc, char **argv) {
  char **copy = calloc((size_t)argc + 1, sizeof *copy);
  if (!copy) return NULL;
  for (int i = 0; i < argc; i++)
    if (!(copy[i] = strdup(argv[i]))) return NULL;
  return copy;
}

/* The container's PID 1 under --init is a fork of this process: overwrite
 * our arguments and environment in place (once parsed from a copy) so that
 * neither the host's paths and variables nor the status socket can be read
 * from its /proc/1/cmdline or environ. */
static void hide_arguments(int argc, char **argv) {
  char *start = argv[0], *end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
  for (char **e = environ; *e; e++)
    if (*e >= start && *e + strlen(*e) + 1 > end) end = *e + strlen(*e) + 1;
  memset(start, 0, (size_t)(end - start));
  snprintf(start, (size_t)(end - start), "baby-docker-shim");
  clearenv();
}

int main(int argc, char **argv) {
  struct shim_options o;
  struct bd_error err;
  if (run_from_sealed_copy(argv, &err) < 0) {
    fprintf(stderr, "baby-docker-shim: %s\n", err.msg);
    return BD_EXIT_RUNTIME;
  }
  /* Exec'd through a memfd's fd, the process would be named after the fd's number. */
  prctl(PR_SET_NAME, "baby-docker-shim"); /* a name in ps only: nothing depends on it */
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  char **args = copy_arguments(argc, argv);
  if (!args) return BD_EXIT_RUNTIME;
  if (parse_args(argc, args, &o, &err) < 0) {
    fprintf(stderr, "baby-docker-shim: %s\n", err.msg);
    return BD_EXIT_RUNTIME;
  }
  hide_arguments(argc, argv);
  /* Our caller's death kills the container (the signal is handled in
   * monitor). Not ptrace-able or dumpable while we hold the host's view. */
  if (prctl(PR_SET_PDEATHSIG, SHIM_KILL_SIGNAL) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0) {
    fprintf(stderr, "baby-docker-shim: prctl: %s\n", strerrorname_np(errno));
    return BD_EXIT_RUNTIME;
  }
  if (getppid() != o.parent) return BD_EXIT_RUNTIME;
  return o.exec ? exec_in(&o) : run(&o);
}
