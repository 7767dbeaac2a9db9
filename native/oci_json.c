#define _GNU_SOURCE
#include "oci_json.h"

#include <string.h>

json_object *member(json_object *obj, const char *key, json_type type, const char *where, struct bd_error *err, int *bad) {
  json_object *value;
  if (!obj || !json_object_object_get_ex(obj, key, &value) || json_object_get_type(value) == json_type_null) return NULL;
  if (json_object_get_type(value) != type && !(type == json_type_double && json_object_get_type(value) == json_type_int)) {
    bd_fail(err, 0, "config.json: %s%s is not a %s", where, key, json_type_to_name(type));
    *bad = 1;
    return NULL;
  }
  return value;
}

const char *string_of(json_object *obj, const char *key, const char *where, struct bd_error *err, int *bad) {
  json_object *value = member(obj, key, json_type_string, where, err, bad);
  return value ? json_object_get_string(value) : NULL;
}

int64_t int_of(json_object *obj, const char *key, int64_t fallback, const char *where, struct bd_error *err, int *bad) {
  json_object *value = member(obj, key, json_type_int, where, err, bad);
  return value ? json_object_get_int64(value) : fallback;
}

uint64_t u64_of(json_object *obj, const char *key, uint64_t fallback, const char *where, struct bd_error *err, int *bad) {
  json_object *value = member(obj, key, json_type_int, where, err, bad);
  return value ? json_object_get_uint64(value) : fallback;
}

int bool_of(json_object *obj, const char *key, const char *where, struct bd_error *err, int *bad) {
  json_object *value = member(obj, key, json_type_boolean, where, err, bad);
  return value ? json_object_get_boolean(value) : 0;
}

int strings_of(json_object *obj, const char *key, const char **out, size_t max, size_t *n, const char *where, struct bd_error *err) {
  int bad = 0;
  json_object *array = member(obj, key, json_type_array, where, err, &bad);
  *n = 0;
  if (bad) return -1;
  if (!array) return 0;
  size_t len = json_object_array_length(array);
  if (len > max) return bd_fail(err, 0, "config.json: %s%s has %zu entries (at most %zu)", where, key, len, max);
  for (size_t i = 0; i < len; i++) {
    json_object *item = json_object_array_get_idx(array, i);
    if (json_object_get_type(item) != json_type_string) return bd_fail(err, 0, "config.json: %s%s[%zu] is not a string", where, key, i);
    out[(*n)++] = json_object_get_string(item);
  }
  return 0;
}

int find_named(const struct named *table, size_t n, const char *name) {
  for (size_t k = 0; name && k < n; k++)
    if (strcmp(table[k].name, name) == 0) return (int)k;
  return -1;
}
