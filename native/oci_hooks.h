/* OCI hooks (config.json's "hooks"): programs the runtime runs at points of
 * a container's life, each given the container's state (JSON) on stdin. */
#ifndef BD_OCI_HOOKS_H
#define BD_OCI_HOOKS_H

#include <json-c/json.h>

#include "utils.h"

/* Run the hooks of kind `which` ("prestart", "poststart", ...) in `hooks`
 * (the config's hooks object, or NULL), in order, each with `state` on its
 * stdin and killed once its timeout (seconds) has passed. The first that
 * fails stops the rest, unless `keep_going`: -1 with err naming the first
 * that failed and how it ended. */
int oci_hooks_run(json_object *hooks, const char *which, const char *state, int keep_going, struct bd_error *err);

#endif
