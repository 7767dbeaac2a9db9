/* Reading config.json with json-c: a member of the type the spec gives it,
 * or a one-line error naming the field ("config.json: hostname is not a
 * string"), and names the config may give looked up in tables. Shared by
 * oci_spec.c and oci_seccomp.c. */
#ifndef BD_OCI_JSON_H
#define BD_OCI_JSON_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "utils.h"

/* The member `key` of `obj` when it has the type wanted; NULL when absent.
 * A member of another type is an error (*bad set, err filled). `where`
 * prefixes the key in the error ("process."). */
json_object *member(json_object *obj, const char *key, json_type type, const char *where, struct bd_error *err, int *bad);
const char *string_of(json_object *obj, const char *key, const char *where, struct bd_error *err, int *bad);
int64_t int_of(json_object *obj, const char *key, int64_t fallback, const char *where, struct bd_error *err, int *bad);
int bool_of(json_object *obj, const char *key, const char *where, struct bd_error *err, int *bad);
/* An unsigned number up to 2^64-1 (a seccomp argument's mask, say). */
uint64_t u64_of(json_object *obj, const char *key, uint64_t fallback, const char *where, struct bd_error *err, int *bad);

/* An array of strings into out[max]: -1 with err filled when it is not one, or too long. */
int strings_of(json_object *obj, const char *key, const char **out, size_t max, size_t *n, const char *where, struct bd_error *err);

/* A name the config may give, and what it stands for. */
struct named {
  const char *name;
  int value;
};

/* The place of `name` in table[n], or -1 (also for NULL). */
int find_named(const struct named *table, size_t n, const char *name);

#endif
