/* A bundle's config.json (OCI runtime-spec 1.x), read into plain C: what
 * baby-docker-runc needs of it to create a container. Strings point into
 * the parsed JSON, which oci_spec_free releases. */
#ifndef BD_OCI_SPEC_H
#define BD_OCI_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "utils.h"

#define OCI_MAX_ITEMS 128

struct oci_mount {
  const char *destination, *type, *source;
  const char *options[32];
  size_t noptions;
};

struct oci_namespace {
  int flag;         /* CLONE_NEWPID, ... */
  const char *path; /* join this one; NULL: a new one */
};

/* One line of a user namespace's uid_map or gid_map. */
struct oci_id_map {
  uint32_t container, host, size;
};

struct oci_rlimit {
  int resource;
  struct rlimit limit;
};

struct oci_device {
  const char *path;
  char type; /* 'c', 'b' or 'p' */
  unsigned major, minor, mode;
  uid_t uid;
  gid_t gid;
};

struct oci_sysctl {
  const char *key, *value;
};

/* linux.resources: numbers are OCI_UNSET where the config leaves them out. */
#define OCI_UNSET INT64_MIN

struct oci_device_rule {
  int allow;
  char type;            /* 'a', 'c' or 'b' */
  int64_t major, minor; /* -1: any */
  const char *access;   /* "rwm" or part of it */
};

struct oci_resources {
  int64_t memory_limit, memory_reservation, memory_swap, memory_kernel, memory_kernel_tcp, memory_swappiness;
  int disable_oom_killer;
  int64_t cpu_shares, cpu_quota, cpu_period, cpu_rt_runtime, cpu_rt_period;
  const char *cpus, *mems;
  int64_t pids_limit;
  struct oci_device_rule devices[64];
  size_t ndevices;
};

/* Capability sets, bit n = capability n. */
struct oci_caps {
  uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct oci_spec {
  void *json; /* the parsed document the strings below live in */
  const char *oci_version;
  void *hooks;       /* the "hooks" object (json_object), or NULL */
  void *annotations; /* the "annotations" object, or NULL */
  /* process (has_process 0: the config has none) */
  int has_process;
  int terminal;
  uid_t uid;
  gid_t gid;
  gid_t additional_gids[OCI_MAX_ITEMS];
  size_t nadditional_gids;
  char *args[OCI_MAX_ITEMS + 1]; /* NULL-terminated */
  char *env[OCI_MAX_ITEMS + 1];
  const char *cwd;
  struct oci_caps caps;
  int has_caps;
  struct oci_rlimit rlimits[32];
  size_t nrlimits;
  int no_new_privileges;
  int has_oom_score_adj, oom_score_adj;
  /* root, hostname */
  const char *root_path; /* as written: relative to the bundle, or absolute */
  int root_readonly;
  const char *hostname;
  /* mounts, in order */
  struct oci_mount mounts[OCI_MAX_ITEMS];
  size_t nmounts;
  /* linux */
  struct oci_namespace namespaces[8];
  size_t nnamespaces;
  struct oci_id_map uid_maps[8], gid_maps[8]; /* a new user namespace's (the kernel takes at most 340 lines) */
  size_t nuid_maps, ngid_maps;
  struct oci_device devices[OCI_MAX_ITEMS];
  size_t ndevices;
  const char *masked_paths[OCI_MAX_ITEMS];
  size_t nmasked_paths;
  const char *readonly_paths[OCI_MAX_ITEMS];
  size_t nreadonly_paths;
  struct oci_sysctl sysctls[OCI_MAX_ITEMS];
  size_t nsysctls;
  const char *rootfs_propagation; /* NULL: private */
  void *seccomp;                  /* linux.seccomp compiled (oci_seccomp.h), or NULL */
  const char *cgroups_path;       /* NULL: our own choice */
  struct oci_resources resources;
};

/* Read `path` (a bundle's config.json) into spec. Anything it asks for that
 * we cannot do (joining a user namespace, an unknown namespace type, a
 * malformed field) fails here with its name, before anything is made. */
int oci_spec_load(const char *path, struct oci_spec *spec, struct bd_error *err);

/* Read `update --resources`'s file (a config's linux.resources object
 * alone); its strings live in *doc, a json_object for json_object_put. */
int oci_resources_load(const char *path, struct oci_resources *resources, void **doc, struct bd_error *err);

/* Read an exec's process.json (a config's "process" object alone) into
 * spec's process fields. */
int oci_process_load(const char *path, struct oci_spec *spec, struct bd_error *err);

void oci_spec_free(struct oci_spec *spec);

/* The flag of namespace `ns` in spec, and whether it is new (1), joined
 * (2, *path set) or absent (0). */
int oci_spec_namespace(const struct oci_spec *spec, int flag, const char **path);

#endif
