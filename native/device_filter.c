#define _GNU_SOURCE
#include "device_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ACCESS_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)
/* At most this many programs are attached to one cgroup (the kernel's BPF_CGROUP_MAX_PROGS). */
#define MAX_ATTACHED 64

/* One entry of the emulated v1 exception list. */
struct exception {
  int type;             /* BPF_DEVCG_DEV_BLOCK or _CHAR */
  int64_t major, minor; /* -1: any */
  unsigned access;      /* BPF_DEVCG_ACC_* bits */
};

static int access_bits(const char *access, unsigned *out, struct bd_error *err) {
  *out = 0;
  if (!access) access = "rwm"; /* as v1 writes a rule that gives none */
  for (const char *c = access; *c; c++) {
    if (*c == 'r') *out |= BPF_DEVCG_ACC_READ;
    else if (*c == 'w') *out |= BPF_DEVCG_ACC_WRITE;
    else if (*c == 'm') *out |= BPF_DEVCG_ACC_MKNOD;
    else return bd_fail(err, 0, "linux.resources.devices[].access %s: give r, w and m", access);
  }
  return 0;
}

/* v1's list after `rules`: its default (1: allow) and its exceptions. */
static int emulate_v1(const struct oci_device_rule *rules, size_t nrules, int *default_allow, struct exception *ex, size_t *nex,
                      struct bd_error *err) {
  *default_allow = 1; /* a new cgroup's, below a root that allows all */
  *nex = 0;
  for (size_t i = 0; i < nrules; i++) {
    const struct oci_device_rule *r = &rules[i];
    if (r->type == 'a') {
      *default_allow = r->allow;
      *nex = 0;
      continue;
    }
    struct exception e = {r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, r->major < 0 ? -1 : r->major, r->minor < 0 ? -1 : r->minor, 0};
    if (access_bits(r->access, &e.access, err) < 0) return -1;
    size_t at = 0;
    while (at < *nex && !(ex[at].type == e.type && ex[at].major == e.major && ex[at].minor == e.minor)) at++;
    if (r->allow != *default_allow) { /* adds to the exception for these numbers */
      if (at == *nex) ex[(*nex)++] = (struct exception){e.type, e.major, e.minor, 0};
      ex[at].access |= e.access;
    } else if (at < *nex && !(ex[at].access &= ~e.access)) { /* takes from it; only an exact match, as v1 does */
      ex[at] = ex[--*nex];
    }
  }
  return 0;
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

int device_filter_build(const struct oci_device_rule *rules, size_t nrules, struct bpf_insn *out, struct bd_error *err) {
  struct exception ex[DEVICE_FILTER_MAX_RULES];
  size_t nex, n = 0;
  int default_allow;
  if (nrules > DEVICE_FILTER_MAX_RULES) return bd_fail(err, 0, "device rules: at most %d", DEVICE_FILTER_MAX_RULES);
  if (emulate_v1(rules, nrules, &default_allow, ex, &nex, err) < 0) return -1;
  /* r2 = access, r3 = type, r4 = major, r5 = minor; 32-bit loads and ALU zero the high halves. */
  out[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
  out[n++] = insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
  out[n++] = insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_3, 0, 0, 0xffff);
  out[n++] = insn(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_2, 0, 0, 16);
  out[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major), 0);
  out[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
  for (size_t i = 0; i < nex; i++) {
    if (!ex[i].access) continue; /* matches nothing */
    size_t jumps[4], njumps = 0;
    jumps[njumps++] = n;
    out[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, 0, ex[i].type);
    /* A number of 2^31 or more would be sign-extended against the zero-extended
     * register and match nothing: no device has one (majors are 12 bits, minors 20). */
    if (ex[i].major >= 0) {
      jumps[njumps++] = n;
      out[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int32_t)ex[i].major);
    }
    if (ex[i].minor >= 0) {
      jumps[njumps++] = n;
      out[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int32_t)ex[i].minor);
    }
    /* Deny-all list: the exception must cover every access asked for (none
     * outside it). Allow-all list: it must cover any of them. */
    if (!default_allow && ex[i].access != ACCESS_ALL) {
      out[n++] = insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_2, 0, 0);
      out[n++] = insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t)(~ex[i].access & ACCESS_ALL));
      jumps[njumps++] = n;
      out[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, 0, 0);
    } else if (default_allow) {
      out[n++] = insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_2, 0, 0);
      out[n++] = insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t)ex[i].access);
      jumps[njumps++] = n;
      out[n++] = insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, 0, 0);
    }
    out[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, !default_allow);
    out[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    /* Each failed check goes on to the next exception (offsets count from the jump's next instruction). */
    for (size_t j = 0; j < njumps; j++) out[jumps[j]].off = (int16_t)(n - jumps[j] - 1);
  }
  out[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, default_allow);
  out[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  return (int)n;
}

static long bpf(int cmd, union bpf_attr *attr) { return syscall(SYS_bpf, cmd, attr, sizeof *attr); }

/* The program loaded: its fd. A program the verifier refuses is reported
 * with the verifier's last line, asked for again with a log. */
static int load(const struct bpf_insn *insns, int count, struct bd_error *err) {
  char log[4096] = "";
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uintptr_t)insns;
  attr.insn_cnt = (uint32_t)count;
  attr.license = (uintptr_t) "MIT"; /* no GPL-only helper is called */
  int fd = (int)bpf(BPF_PROG_LOAD, &attr);
  if (fd >= 0) return fd;
  int e = errno;
  attr.log_buf = (uintptr_t)log;
  attr.log_size = sizeof log;
  attr.log_level = 1;
  fd = (int)bpf(BPF_PROG_LOAD, &attr);
  if (fd >= 0) return fd; /* refused once, taken now: nothing to report */
  size_t len = strlen(log);
  while (len && log[len - 1] == '\n') log[--len] = '\0';
  const char *last = strrchr(log, '\n');
  return bd_fail(err, e, "load the cgroup v2 device program (%d instructions%s%s)", count, len ? "; the verifier says: " : "", last ? last + 1 : log);
}

/* The ids of the device programs attached to the cgroup `fd` itself. */
static int query(int fd, const char *dir, uint32_t *ids, uint32_t *count, struct bd_error *err) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.query.target_fd = (uint32_t)fd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uintptr_t)ids;
  attr.query.prog_cnt = *count;
  if (bpf(BPF_PROG_QUERY, &attr) < 0) return bd_fail(err, errno, "query the device programs of %s", dir);
  *count = attr.query.prog_cnt;
  return 0;
}

/* Detach the program `id` from the cgroup `fd`; one gone meanwhile is fine. */
static int detach(int fd, const char *dir, uint32_t id, struct bd_error *err) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_id = id;
  int prog = (int)bpf(BPF_PROG_GET_FD_BY_ID, &attr);
  if (prog < 0) return errno == ENOENT ? 0 : bd_fail(err, errno, "open the device program %u of %s", id, dir);
  memset(&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t)fd;
  attr.attach_bpf_fd = (uint32_t)prog;
  attr.attach_type = BPF_CGROUP_DEVICE;
  int rc = bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT ? bd_fail(err, errno, "detach the device program %u from %s", id, dir) : 0;
  close(prog);
  return rc;
}

int device_filter_apply(const char *dir, const struct oci_device_rule *rules, size_t nrules, struct bd_error *err) {
  struct bpf_insn insns[DEVICE_FILTER_MAX_INSNS];
  uint32_t old[MAX_ATTACHED], nold = MAX_ATTACHED;
  int count = device_filter_build(rules, nrules, insns, err);
  if (count < 0) return -1;
  int cgroup = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgroup < 0) return bd_fail(err, errno, "open %s", dir);
  int rc = -1, prog = -1;
  if (query(cgroup, dir, old, &nold, err) < 0 || (prog = load(insns, count, err)) < 0) goto out;
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t)cgroup;
  attr.attach_bpf_fd = (uint32_t)prog;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, &attr) < 0) {
    bd_fail(err, errno, "attach the device program to %s", dir);
    goto out;
  }
  /* The new one first, the old ones after: meanwhile both apply (an access
   * needs every program's yes), never neither. */
  rc = 0;
  for (uint32_t i = 0; i < nold && rc == 0; i++) rc = detach(cgroup, dir, old[i], err);
out:
  /* An attached program stays with the cgroup (and goes at its rmdir). */
  if (prog >= 0) close(prog);
  close(cgroup);
  return rc;
}
