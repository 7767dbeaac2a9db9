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
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_ipv4.h>
#include <net/if.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netlink.h"

#define FORWARDING "/proc/sys/net/ipv4/ip_forward"

/* The shim runs with an empty environment: no PATH to search. */
static const char *find_program(const char *name, char *path, size_t len) {
  const char *dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};
  struct bd_error ignored;
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
    if (bd_format(path, len, &ignored, "%s/%s", dirs[i], name) == 0 && access(path, X_OK) == 0) return path;
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
  if (bd_format(path, sizeof path, err, "%s/forwarding", state_dir) < 0) return -1;
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

/* nftables, spoken over netlink as nft itself does: the same messages
 * without running nft (a fork and exec of it costs ~10 ms a change). */

static void str_attr(struct nl_request *r, int type, const char *s) { nl_attr(r, type, s, strlen(s) + 1); }

static void u32_attr(struct nl_request *r, int type, uint32_t value) {
  uint32_t be = htonl(value);
  nl_attr(r, type, &be, sizeof be);
}

static struct rtattr *nest(struct nl_request *r, int type) { return nl_nest_begin(r, NLA_F_NESTED | type); }

static void nft_message(struct nl_request *r, int type, int flags) {
  struct nfgenmsg g = {.nfgen_family = NFPROTO_IPV4, .version = NFNETLINK_V0};
  nl_message(r, (NFNL_SUBSYS_NFTABLES << 8) | type, flags | NLM_F_ACK, &g, sizeof g);
}

static void batch_mark(struct nl_request *r, int type) {
  struct nfgenmsg g = {.nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0, .res_id = htons(NFNL_SUBSYS_NFTABLES)};
  nl_message(r, type, 0, &g, sizeof g);
}

/* A data value inside attribute `type` (cmp data, set keys, bitwise masks). */
static void data_attr(struct nl_request *r, int type, const void *value, size_t len) {
  struct rtattr *data = nest(r, type);
  nl_attr(r, NFTA_DATA_VALUE, value, len);
  nl_nest_end(r, data);
}

struct expr {
  struct rtattr *elem, *data;
};

static struct expr expr_begin(struct nl_request *r, const char *name) {
  struct expr e = {.elem = nest(r, NFTA_LIST_ELEM)};
  str_attr(r, NFTA_EXPR_NAME, name);
  e.data = nest(r, NFTA_EXPR_DATA);
  return e;
}

static void expr_end(struct nl_request *r, struct expr e) {
  nl_nest_end(r, e.data);
  nl_nest_end(r, e.elem);
}

static void payload(struct nl_request *r, int base, unsigned offset, unsigned len, int dreg) {
  struct expr e = expr_begin(r, "payload");
  u32_attr(r, NFTA_PAYLOAD_DREG, (uint32_t)dreg);
  u32_attr(r, NFTA_PAYLOAD_BASE, (uint32_t)base);
  u32_attr(r, NFTA_PAYLOAD_OFFSET, offset);
  u32_attr(r, NFTA_PAYLOAD_LEN, len);
  expr_end(r, e);
}

static void meta(struct nl_request *r, int key, int dreg) {
  struct expr e = expr_begin(r, "meta");
  u32_attr(r, NFTA_META_DREG, (uint32_t)dreg);
  u32_attr(r, NFTA_META_KEY, (uint32_t)key);
  expr_end(r, e);
}

static void cmp(struct nl_request *r, int op, const void *value, size_t len) {
  struct expr e = expr_begin(r, "cmp");
  u32_attr(r, NFTA_CMP_SREG, NFT_REG_1);
  u32_attr(r, NFTA_CMP_OP, (uint32_t)op);
  data_attr(r, NFTA_CMP_DATA, value, len);
  expr_end(r, e);
}

/* reg 1 = reg 1 & mask (4 bytes) */
static void mask(struct nl_request *r, uint32_t bits) {
  uint32_t none = 0;
  struct expr e = expr_begin(r, "bitwise");
  u32_attr(r, NFTA_BITWISE_SREG, NFT_REG_1);
  u32_attr(r, NFTA_BITWISE_DREG, NFT_REG_1);
  u32_attr(r, NFTA_BITWISE_LEN, sizeof bits);
  data_attr(r, NFTA_BITWISE_MASK, &bits, sizeof bits);
  data_attr(r, NFTA_BITWISE_XOR, &none, sizeof none);
  expr_end(r, e);
}

/* The interface (iifname/oifname) is, or is not, `name` (BRIDGE_NAME: it fits). */
static void interface_is(struct nl_request *r, int key, int op, const char *name) {
  char padded[IFNAMSIZ] = {0};
  snprintf(padded, sizeof padded, "%s", name);
  meta(r, key, NFT_REG_1);
  cmp(r, op, padded, sizeof padded);
}

/* The IPv4 source or destination (offset 12 or 16) is in net/prefix. */
static void address_in(struct nl_request *r, unsigned offset, uint32_t net, int prefix) {
  payload(r, NFT_PAYLOAD_NETWORK_HEADER, offset, 4, NFT_REG_1);
  mask(r, htonl(~0u << (32 - prefix)));
  cmp(r, NFT_CMP_EQ, &net, sizeof net);
}

/* fib daddr type local: the destination is one of the host's addresses. */
static void to_local(struct nl_request *r) {
  uint32_t local = RTN_LOCAL; /* the fib expression's result is in host order */
  struct expr e = expr_begin(r, "fib");
  u32_attr(r, NFTA_FIB_DREG, NFT_REG_1);
  u32_attr(r, NFTA_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
  u32_attr(r, NFTA_FIB_FLAGS, NFTA_FIB_F_DADDR);
  expr_end(r, e);
  cmp(r, NFT_CMP_EQ, &local, sizeof local);
}

/* ct status dnat: the connection's destination was translated. */
static void was_dnatted(struct nl_request *r) {
  uint32_t none = 0;
  struct expr e = expr_begin(r, "ct");
  u32_attr(r, NFTA_CT_DREG, NFT_REG_1);
  u32_attr(r, NFTA_CT_KEY, NFT_CT_STATUS);
  expr_end(r, e);
  mask(r, IPS_DST_NAT);
  cmp(r, NFT_CMP_NEQ, &none, sizeof none);
}

static void verdict(struct nl_request *r, const char *name) {
  struct expr e = expr_begin(r, name);
  expr_end(r, e);
}

static void drop(struct nl_request *r) {
  struct expr e = expr_begin(r, "immediate");
  u32_attr(r, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
  struct rtattr *data = nest(r, NFTA_IMMEDIATE_DATA), *v = nest(r, NFTA_DATA_VERDICT);
  u32_attr(r, NFTA_VERDICT_CODE, NF_DROP);
  nl_nest_end(r, v);
  nl_nest_end(r, data);
  expr_end(r, e);
}

/* dnat to the published map's address . port, looked up by what the
 * 32-bit registers from reg 1 on hold (the map's key, field by field). */
static void dnat_by(struct nl_request *r, const char *map) {
  struct expr e = expr_begin(r, "lookup");
  u32_attr(r, NFTA_LOOKUP_SREG, NFT_REG_1);
  u32_attr(r, NFTA_LOOKUP_DREG, NFT_REG_1);
  str_attr(r, NFTA_LOOKUP_SET, map);
  expr_end(r, e);
  e = expr_begin(r, "nat");
  u32_attr(r, NFTA_NAT_TYPE, NFT_NAT_DNAT);
  u32_attr(r, NFTA_NAT_FAMILY, NFPROTO_IPV4);
  u32_attr(r, NFTA_NAT_REG_ADDR_MIN, NFT_REG_1);
  u32_attr(r, NFTA_NAT_REG_PROTO_MIN, NFT_REG32_01);
  expr_end(r, e);
}

static struct rtattr *rule_begin(struct nl_request *r, const char *chain) {
  nft_message(r, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
  str_attr(r, NFTA_RULE_TABLE, NAT_TABLE);
  str_attr(r, NFTA_RULE_CHAIN, chain);
  return nest(r, NFTA_RULE_EXPRESSIONS);
}

static void chain(struct nl_request *r, const char *name, const char *type, int hook, int priority) {
  nft_message(r, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
  str_attr(r, NFTA_CHAIN_TABLE, NAT_TABLE);
  str_attr(r, NFTA_CHAIN_NAME, name);
  struct rtattr *h = nest(r, NFTA_CHAIN_HOOK);
  u32_attr(r, NFTA_HOOK_HOOKNUM, (uint32_t)hook);
  u32_attr(r, NFTA_HOOK_PRIORITY, (uint32_t)priority);
  nl_nest_end(r, h);
  u32_attr(r, NFTA_CHAIN_POLICY, NF_ACCEPT);
  str_attr(r, NFTA_CHAIN_TYPE, type);
}

/* nft's own type numbers (ipv4_addr 7, inet_proto 12, inet_service 13,
 * joined 6 bits apart), so that `nft list` shows the maps as it would its own. */
#define NFT_TYPES2(a, b) (((a) << 6) | (b))
#define NFT_TYPES3(a, b, c) ((((a) << 6 | (b)) << 6) | (c))

/* A map of published ports: keyed by [host address .] protocol . host port
 * (each field padded to 4 bytes, as registers hold them), to container
 * address . port. */
static void published_map(struct nl_request *r, int at, const struct nat_port *ports, size_t nports) {
  const char *name = at ? "published_at" : "published";
  nft_message(r, NFT_MSG_NEWSET, NLM_F_CREATE);
  str_attr(r, NFTA_SET_TABLE, NAT_TABLE);
  str_attr(r, NFTA_SET_NAME, name);
  u32_attr(r, NFTA_SET_FLAGS, NFT_SET_MAP);
  u32_attr(r, NFTA_SET_ID, at ? 2 : 1); /* the kernel wants one: a name for it within the transaction */
  u32_attr(r, NFTA_SET_KEY_TYPE, at ? NFT_TYPES3(7, 12, 13) : NFT_TYPES2(12, 13));
  u32_attr(r, NFTA_SET_KEY_LEN, at ? 12 : 8);
  u32_attr(r, NFTA_SET_DATA_TYPE, NFT_TYPES2(7, 13));
  u32_attr(r, NFTA_SET_DATA_LEN, 8);
  int any = 0;
  for (size_t i = 0; i < nports; i++) any |= (ports[i].host_ip != 0) == at;
  if (!any) return;
  nft_message(r, NFT_MSG_NEWSETELEM, NLM_F_CREATE);
  str_attr(r, NFTA_SET_ELEM_LIST_TABLE, NAT_TABLE);
  str_attr(r, NFTA_SET_ELEM_LIST_SET, name);
  struct rtattr *elements = nest(r, NFTA_SET_ELEM_LIST_ELEMENTS);
  for (size_t i = 0; i < nports; i++) {
    const struct nat_port *p = &ports[i];
    if ((p->host_ip != 0) != at) continue;
    unsigned char key[12] = {0}, value[8] = {0}, *k = key;
    uint16_t host_port = htons(p->host_port), port = htons(p->container_port);
    if (at) {
      memcpy(k, &p->host_ip, 4);
      k += 4;
    }
    *k = p->udp ? IPPROTO_UDP : IPPROTO_TCP;
    memcpy(k + 4, &host_port, 2);
    k += 8;
    memcpy(value, &p->container_addr, 4);
    memcpy(value + 4, &port, 2);
    struct rtattr *elem = nest(r, NFTA_LIST_ELEM);
    data_attr(r, NFTA_SET_ELEM_KEY, key, (size_t)(k - key));
    data_attr(r, NFTA_SET_ELEM_DATA, value, sizeof value);
    nl_nest_end(r, elem);
  }
  nl_nest_end(r, elements);
}

/* Our table deleted: made first where absent, so that deleting it is no error. */
static void table_deleted(struct nl_request *r) {
  nft_message(r, NFT_MSG_NEWTABLE, NLM_F_CREATE);
  str_attr(r, NFTA_TABLE_NAME, NAT_TABLE);
  nft_message(r, NFT_MSG_DELTABLE, 0);
  str_attr(r, NFTA_TABLE_NAME, NAT_TABLE);
}

/* The table made anew in one transaction: deleted, then made again. Ports on every host address in one map, ports on one
 * address in another; "fib daddr type local" keeps traffic passing through
 * the host untouched. The host's own 127.0.0.1 reaches a container only
 * masqueraded as the bridge's address (with route_localnet on the bridge,
 * see network.c). */
static void nft_ruleset(struct nl_request *r, uint32_t net, int prefix, const char *bridge, const struct nat_port *ports, size_t nports) {
  uint32_t loopback = htonl(INADDR_LOOPBACK & 0xff000000);
  table_deleted(r);
  nft_message(r, NFT_MSG_NEWTABLE, NLM_F_CREATE);
  str_attr(r, NFTA_TABLE_NAME, NAT_TABLE);
  published_map(r, 1, ports, nports);
  published_map(r, 0, ports, nports);
  chain(r, "prerouting", "nat", NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST);
  chain(r, "output", "nat", NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST);
  chain(r, "localnet_guard", "filter", NF_INET_PRE_ROUTING, NF_IP_PRI_RAW);
  chain(r, "postrouting", "nat", NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC);
  for (int output = 0; output < 2; output++)
    for (int at = 1; at >= 0; at--) {
      struct rtattr *exprs = rule_begin(r, output ? "output" : "prerouting");
      to_local(r);
      int reg = NFT_REG32_00;
      if (at) payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, reg++);
      meta(r, NFT_META_L4PROTO, reg++);
      payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, reg);
      dnat_by(r, at ? "published_at" : "published");
      nl_nest_end(r, exprs);
    }
  /* route_localnet on the bridge would let a container reach the host's
   * 127.0.0.1 by sending there through its gateway: dropped before NAT. */
  struct rtattr *exprs = rule_begin(r, "localnet_guard");
  interface_is(r, NFT_META_IIFNAME, NFT_CMP_EQ, bridge);
  address_in(r, 16, loopback, 8);
  drop(r);
  nl_nest_end(r, exprs);
  /* ip saddr SUBNET oifname != bridge masquerade */
  exprs = rule_begin(r, "postrouting");
  address_in(r, 12, net, prefix);
  interface_is(r, NFT_META_OIFNAME, NFT_CMP_NEQ, bridge);
  verdict(r, "masq");
  nl_nest_end(r, exprs);
  /* oifname bridge ip saddr 127.0.0.0/8 masquerade */
  exprs = rule_begin(r, "postrouting");
  interface_is(r, NFT_META_OIFNAME, NFT_CMP_EQ, bridge);
  address_in(r, 12, loopback, 8);
  verdict(r, "masq");
  nl_nest_end(r, exprs);
  /* oifname bridge ct status dnat ip saddr SUBNET masquerade (hairpin) */
  exprs = rule_begin(r, "postrouting");
  interface_is(r, NFT_META_OIFNAME, NFT_CMP_EQ, bridge);
  was_dnatted(r);
  address_in(r, 12, net, prefix);
  verdict(r, "masq");
  nl_nest_end(r, exprs);
}

/* Send a batch of nftables messages: 0, or -1 with err naming the message refused. */
static int nft_send(struct nl_request *r, const char *what, struct bd_error *err) {
  batch_mark(r, NFNL_MSG_BATCH_END);
  int nl = nl_open_netfilter(err);
  if (nl < 0) return -1; /* errno kept: EPROTONOSUPPORT without nfnetlink */
  unsigned failed = 0;
  int rc = nl_talk(nl, r, &failed), e = errno;
  close(nl);
  if (rc < 0) {
    bd_fail(err, e, "nftables %s (table ip %s, message %u)", what, NAT_TABLE, failed);
    errno = e;
    return -1;
  }
  return 0;
}

static int nft_publish(uint32_t net, int prefix, const char *bridge, const struct nat_port *ports, size_t nports, struct bd_error *err) {
  struct nl_request r;
  nl_request_init(&r);
  batch_mark(&r, NFNL_MSG_BATCH_BEGIN);
  nft_ruleset(&r, net, prefix, bridge, ports, nports);
  return nft_send(&r, "make", err);
}

static void nft_remove(void) {
  struct bd_error ignored;
  struct nl_request r;
  nl_request_init(&r);
  batch_mark(&r, NFNL_MSG_BATCH_BEGIN);
  table_deleted(&r);
  nft_send(&r, "remove", &ignored);
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
static const char *const IPTABLES_CHAINS[][3] = {{"nat", "PREROUTING", "BABY-DOCKER-DNAT"},
                                                 {"nat", "OUTPUT", "BABY-DOCKER-DNAT"},
                                                 {"nat", "POSTROUTING", "BABY-DOCKER-SNAT"},
                                                 {"raw", "PREROUTING", "BABY-DOCKER-GUARD"}};
#define IPTABLES_JUMPS (sizeof IPTABLES_CHAINS / sizeof IPTABLES_CHAINS[0])

/* Our chains' jumps from the built-in ones: checked and added where missing (-C), or deleted (-D). */
static int iptables_jumps(const char *iptables, const char *op, struct bd_error *err) {
  for (size_t i = 0; i < IPTABLES_JUMPS; i++) {
    const char *const *c = IPTABLES_CHAINS[i];
    int dnat = strcmp(c[2], "BABY-DOCKER-DNAT") == 0;
    char *argv[] = {(char *)iptables,   "-w",       "-t",         (char *)c[0], (char *)op, (char *)c[1], "-j", (char *)c[2],
                    dnat ? "-m" : NULL, "addrtype", "--dst-type", "LOCAL",      NULL};
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

static int iptables_publish(uint32_t net, int prefix, const char *bridge, const struct nat_port *ports, size_t nports, struct bd_error *err) {
  char program[PATH_MAX], iptables[PATH_MAX], network[INET_ADDRSTRLEN], subnet[INET_ADDRSTRLEN + 4], *text = NULL;
  size_t len = 0;
  if (!find_program("iptables-restore", program, sizeof program) || !find_program("iptables", iptables, sizeof iptables))
    return bd_fail(err, 0, "no NAT for the bridge: iptables is not installed");
  if (bd_format(subnet, sizeof subnet, err, "%s/%d", address(net, network), prefix) < 0) return -1;
  FILE *out = open_memstream(&text, &len);
  if (!out) return bd_fail(err, errno, "open_memstream");
  iptables_ruleset(out, subnet, bridge, ports, nports);
  if (fclose(out) != 0) {
    free(text);
    return bd_fail(err, ENOMEM, "the NAT rules");
  }
  char *argv[] = {program, "-w", "--noflush", NULL};
  int code = run_program(argv, text, err);
  free(text);
  if (code < 0) return -1;
  if (code != 0) return bd_fail(err, 0, "iptables-restore (the NAT rules, chains BABY-DOCKER-*): exit %d", code);
  return iptables_jumps(iptables, "-C", err);
}

/* Present in state_dir while the rules are iptables'. */
#define IPTABLES_MARK "iptables"

static int using_iptables(const char *state_dir) {
  char path[PATH_MAX];
  struct bd_error ignored;
  return bd_format(path, sizeof path, &ignored, "%s/" IPTABLES_MARK, state_dir) == 0 && access(path, F_OK) == 0;
}

int nat_publish(uint32_t net, int prefix, const char *bridge, const struct nat_port *ports, size_t nports, const char *state_dir,
                struct bd_error *err) {
  return (using_iptables(state_dir) ? iptables_publish : nft_publish)(net, prefix, bridge, ports, nports, err);
}

int nat_enable(uint32_t net, int prefix, const char *bridge, const struct nat_port *ports, size_t nports, int iptables, const char *state_dir,
               struct bd_error *err) {
  if (forwarding_on(state_dir, err) < 0) return -1;
  if (!iptables) {
    if (nft_publish(net, prefix, bridge, ports, nports, err) == 0) return 0;
    /* No nf_tables in this kernel: the socket or its subsystem is missing. */
    if (errno != EPROTONOSUPPORT && errno != EOPNOTSUPP) return -1;
  }
  char path[PATH_MAX];
  if (!find_program("iptables-restore", path, sizeof path) || !find_program("iptables", path, sizeof path))
    return bd_fail(
        err, 0,
        iptables
            ? "no NAT for the bridge: the host's config asks for iptables (bridge.firewall), which is not installed: install it, or choose nftables"
            : "no NAT for the bridge: this kernel has no nftables, and iptables is not installed: install it, or use --network none");
  if (bd_format(path, sizeof path, err, "%s/" IPTABLES_MARK, state_dir) < 0) return -1;
  int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return bd_fail(err, errno, "create %s", path);
  close(fd);
  return iptables_publish(net, prefix, bridge, ports, nports, err);
}

void nat_disable(const char *state_dir) {
  struct bd_error ignored;
  char program[PATH_MAX], path[PATH_MAX], was[8];
  if (!using_iptables(state_dir)) {
    nft_remove();
  } else if (find_program("iptables", program, sizeof program)) {
    iptables_jumps(program, "-D", &ignored);
    for (size_t i = 0; i < IPTABLES_JUMPS; i++)
      for (int x = 0; x < 2; x++) {
        char *argv[] = {program, "-w", "-t", (char *)IPTABLES_CHAINS[i][0], x ? "-X" : "-F", (char *)IPTABLES_CHAINS[i][2], NULL};
        run_program(argv, "", &ignored); /* the DNAT chain, listed twice, is gone the second time */
      }
  }
  if (bd_format(path, sizeof path, &ignored, "%s/" IPTABLES_MARK, state_dir) == 0) unlink(path);
  if (bd_format(path, sizeof path, &ignored, "%s/forwarding", state_dir) == 0 && read_file(NULL, path, was, sizeof was, &ignored) >= 0) {
    write_file(NULL, FORWARDING, was, &ignored);
    unlink(path);
  }
}
