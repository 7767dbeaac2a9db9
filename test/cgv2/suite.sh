#!/usr/bin/env bash
# The tests that touch cgroups, run in the pure cgroup v2 guest (run.sh)
# twice: from its root cgroup, and from a login session's scope that holds
# processes, as `sudo` from a desktop terminal gives. Part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
tests=(dist/test/cgroups.test.js dist/test/limits.test.js dist/test/lifecycle.test.js dist/test/oci-runtime.test.js)
for scope in "" /user.slice/user-0.slice/session-1.scope; do
  echo "# pure cgroup v2 guest, from ${scope:-the root cgroup}: ${tests[*]}"
  test/cgv2/run.sh ${scope:+--scope "$scope"} -- node --test --test-concurrency=1 "${tests[@]}"
done
