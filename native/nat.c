#define _GNU_SOURCE
#include "nat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FORWARDING "/proc/sys/net/ipv4/ip_forward"

/* The shim runs with an empty environment: no PATH to search. */
static const char *find_program(const char *name, char *path, size_t len) {
  const char *dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    snprintf(path, len, "%s/%s", dirs[i], name);
    if (access(path, X_OK) == 0) return path;
  }
  return NULL;
}

/* fork, as a child of our own PID namespace: the shim's children are born
 * in its holder's (see container.c), where none can be once the holder has
 * gone (ENOMEM), and where nft would die with the container. */
static pid_t fork_in_own_pid_namespace(void) {
  int own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  int children = open("/proc/thread-self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
  int moved = own >= 0 && children >= 0 && setns(own, CLONE_NEWPID) == 0;
  pid_t pid = fork();
  if (pid != 0 && moved) {
    int e = errno;
    setns(children, CLONE_NEWPID); /* fails only when that namespace has ended: nothing more is born there */
    errno = e;
  }
  if (pid != 0 && own >= 0) close(own);
  if (pid != 0 && children >= 0) close(children);
  return pid;
}

/* Run argv (argv[0] a full path) with `input` on its stdin; its exit code, or -1 with err. */
static int run_program(char *const argv[], const char *input, struct bd_error *err) {
  int in[2];
  if (pipe2(in, O_CLOEXEC) < 0) return bd_fail(err, errno, "pipe for %s", argv[0]);
  pid_t pid = fork_in_own_pid_namespace();
  if (pid < 0) {
    int e = errno;
    close(in[0]);
    close(in[1]);
    return bd_fail(err, e, "fork %s", argv[0]);
  }
  if (pid == 0) {
    struct bd_error ignored;
    int null = open("/dev/null", O_WRONLY);
    if (dup2(in[0], 0) < 0 || null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 || close_from(3, &ignored) < 0) _exit(127);
    char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
    execve(argv[0], argv, envp);
    _exit(127);
  }
  close(in[0]);
  size_t len = strlen(input);
  for (size_t off = 0; off < len;) {
    ssize_t n = write(in[1], input + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break; /* it exited early: its status says why */
    off += (size_t)n;
  }
  close(in[1]);
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return bd_fail(err, errno, "wait for %s", argv[0]);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int forwarding_on(const char *state_dir, struct bd_error *err) {
  char was[8];
  if (read_file(NULL, FORWARDING, was, sizeof was, err) < 0) return -1;
  if (strcmp(was, "1") == 0) return 0;
  /* Recorded before it changes: nat_disable puts it back. */
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/forwarding", state_dir);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST) return bd_fail(err, errno, "create %s", path);
  if (fd >= 0) {
    ssize_t n = write(fd, was, strlen(was));
    close(fd);
    if (n != (ssize_t)strlen(was)) return bd_fail(err, errno, "write %s", path);
  }
  return write_file(NULL, FORWARDING, "1", err);
}

static const char *address(uint32_t addr, char *text) {
  struct in_addr in = {addr};
  return inet_ntop(AF_INET, &in, text, INET_ADDRSTRLEN);
}

/* The whole table, for nft -f -: made anew in one transaction. Ports on
 * every host address in one map, ports on one address in another; "fib
 * daddr type local" keeps traffic passing through the host untouched. The
 * host's own 127.0.0.1 reaches a container only masqueraded as the bridge's
 * address (with route_localnet on the bridge, see network.c). */
static void nft_ruleset(FILE *out, const char *subnet, const char *bridge, const struct nat_port *ports, size_t nports) {
  char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
  fprintf(out, "table ip " NAT_TABLE "\ndelete table ip " NAT_TABLE "\ntable ip " NAT_TABLE " {\n");
  for (int at = 0; at < 2; at++) {
    fprintf(out, "  map published%s {\n    type %sinet_proto . inet_service : ipv4_addr . inet_service\n", at ? "_at" : "",
            at ? "ipv4_addr . " : "");
    const char *sep = "    elements = { ";
    for (size_t i = 0; i < nports; i++) {
      if ((ports[i].host_ip != 0) != at) continue;
      if (at) fprintf(out, "%s%s . ", sep, address(ports[i].host_ip, a));
      else fprintf(out, "%s", sep);
      fprintf(out, "%s . %u : %s . %u", ports[i].udp ? "udp" : "tcp", ports[i].host_port, address(ports[i].container_addr, b),
              ports[i].container_port);
      sep = ", ";
    }
    fprintf(out, "%s  }\n", sep[0] == ',' ? " }\n" : "");
  }
  for (int output = 0; output < 2; output++)
    fprintf(out,
            "  chain %s {\n    type nat hook %s priority -100; policy accept;\n"
            "    fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @published_at\n"
            "    fib daddr type local dnat ip to meta l4proto . th dport map @published\n  }\n",
            output ? "output" : "prerouting", output ? "output" : "prerouting");
  /* route_localnet on the bridge would let a container reach the host's
   * 127.0.0.1 by sending there through its gateway: dropped before NAT. */
  fprintf(out, "  chain localnet_guard {\n    type filter hook prerouting priority raw; policy accept;\n"
               "    iifname \"%s\" ip daddr 127.0.0.0/8 drop\n  }\n", bridge);
  fprintf(out,
          "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n"
          "    ip saddr %s oifname != \"%s\" masquerade\n"
          "    oifname \"%s\" ip saddr 127.0.0.0/8 masquerade\n"
          "    oifname \"%s\" ct status dnat ip saddr %s masquerade\n  }\n}\n",
          subnet, bridge, bridge, bridge, subnet);
}

/* The same for iptables-restore --noflush: our chains, flushed as they are
 * declared, and filled; the jumps to them are added apart (iptables_jumps). */
static void iptables_ruleset(FILE *out, const char *subnet, const char *bridge, const struct nat_port *ports, size_t nports) {
  char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
  fprintf(out, "*raw\n:BABY-DOCKER-GUARD - [0:0]\n-A BABY-DOCKER-GUARD -i %s -d 127.0.0.0/8 -j DROP\nCOMMIT\n", bridge);
  fprintf(out, "*nat\n:BABY-DOCKER-DNAT - [0:0]\n:BABY-DOCKER-SNAT - [0:0]\n");
  for (size_t i = 0; i < nports; i++) {
    fprintf(out, "-A BABY-DOCKER-DNAT");
    if (ports[i].host_ip) fprintf(out, " -d %s/32", address(ports[i].host_ip, a));
    fprintf(out, " -p %s --dport %u -j DNAT --to-destination %s:%u\n", ports[i].udp ? "udp" : "tcp", ports[i].host_port,
            address(ports[i].container_addr, b), ports[i].container_port);
  }
  fprintf(out,
          "-A BABY-DOCKER-SNAT -s %s ! -o %s -j MASQUERADE\n"
          "-A BABY-DOCKER-SNAT -s 127.0.0.0/8 -o %s -j MASQUERADE\n"
          "-A BABY-DOCKER-SNAT -s %s -o %s -m conntrack --ctstate DNAT -j MASQUERADE\nCOMMIT\n",
          subnet, bridge, bridge, subnet, bridge);
}

/* Our chains' jumps from the built-in ones: checked (-C), added (-A) or deleted (-D). */
static const char *const IPTABLES_CHAINS[][3] = {
    {"nat", "PREROUTING", "BABY-DOCKER-DNAT"}, {"nat", "OUTPUT", "BABY-DOCKER-DNAT"},
    {"nat", "POSTROUTING", "BABY-DOCKER-SNAT"}, {"raw", "PREROUTING", "BABY-DOCKER-GUARD"}};
#define IPTABLES_JUMPS (sizeof IPTABLES_CHAINS / sizeof IPTABLES_CHAINS[0])

/* Our chains' jumps from the built-in ones: checked and added where missing (-C), or deleted (-D). */
static int iptables_jumps(const char *iptables, const char *op, struct bd_error *err) {
  for (size_t i = 0; i < IPTABLES_JUMPS; i++) {
    const char *const *c = IPTABLES_CHAINS[i];
    int dnat = strcmp(c[2], "BABY-DOCKER-DNAT") == 0;
    char *argv[] = {(char *)iptables, "-w", "-t", (char *)c[0], (char *)op, (char *)c[1], "-j", (char *)c[2],
                    dnat ? "-m" : NULL, "addrtype", "--dst-type", "LOCAL", NULL};
    int code = run_program(argv, "", err);
    if (code < 0) return -1;
    if (strcmp(op, "-C") == 0 && code != 0) {
      argv[4] = "-A";
      if ((code = run_program(argv, "", err)) < 0) return -1;
      if (code != 0) return bd_fail(err, 0, "iptables -t %s -A %s -j %s: exit %d", c[0], c[1], c[2], code);
    }
  }
  return 0;
}

int nat_publish(const char *subnet, const char *bridge, const struct nat_port *ports, size_t nports, struct bd_error *err) {
  char program[PATH_MAX], *text = NULL;
  size_t len = 0;
  int nft = find_program("nft", program, sizeof program) != NULL;
  if (!nft && !find_program("iptables-restore", program, sizeof program))
    return bd_fail(err, 0, "no NAT for the bridge: neither nft nor iptables is installed (install nftables, or use --network none)");
  FILE *out = open_memstream(&text, &len);
  if (!out) return bd_fail(err, errno, "open_memstream");
  (nft ? nft_ruleset : iptables_ruleset)(out, subnet, bridge, ports, nports);
  if (fclose(out) != 0) {
    free(text);
    return bd_fail(err, ENOMEM, "the NAT rules");
  }
  char *nft_argv[] = {program, "-f", "-", NULL}, *restore_argv[] = {program, "-w", "--noflush", NULL};
  int code = run_program(nft ? nft_argv : restore_argv, text, err);
  free(text);
  if (code < 0) return -1;
  if (code != 0) return bd_fail(err, 0, "%s (the NAT rules of table %s): exit %d", nft ? "nft -f -" : "iptables-restore", NAT_TABLE, code);
  if (nft) return 0;
  char iptables[PATH_MAX];
  if (!find_program("iptables", iptables, sizeof iptables)) return bd_fail(err, 0, "iptables-restore is installed but iptables is not");
  return iptables_jumps(iptables, "-C", err);
}

int nat_enable(const char *subnet, const char *bridge, const char *state_dir, struct bd_error *err) {
  if (forwarding_on(state_dir, err) < 0) return -1;
  return nat_publish(subnet, bridge, NULL, 0, err);
}

void nat_disable(const char *state_dir) {
  struct bd_error ignored;
  char program[PATH_MAX], path[PATH_MAX], was[8];
  if (find_program("nft", program, sizeof program)) {
    char *argv[] = {program, "-f", "-", NULL};
    run_program(argv, "table ip " NAT_TABLE "\ndelete table ip " NAT_TABLE "\n", &ignored);
  } else if (find_program("iptables", program, sizeof program)) {
    iptables_jumps(program, "-D", &ignored);
    for (size_t i = 0; i < IPTABLES_JUMPS; i++)
      for (int x = 0; x < 2; x++) {
        char *argv[] = {program, "-w", "-t", (char *)IPTABLES_CHAINS[i][0], x ? "-X" : "-F", (char *)IPTABLES_CHAINS[i][2], NULL};
        run_program(argv, "", &ignored); /* the DNAT chain, listed twice, is gone the second time */
      }
  }
  snprintf(path, sizeof path, "%s/forwarding", state_dir);
  if (read_file(NULL, path, was, sizeof was, &ignored) >= 0) {
    write_file(NULL, FORWARDING, was, &ignored);
    unlink(path);
  }
}
