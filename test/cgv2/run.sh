#!/usr/bin/env bash
# Runs a command in a Linux guest whose cgroups are pure v2 (the layout of
# every recent distribution), on a host whose memory and pids controllers
# are on v1 hierarchies and which has no KVM: Debian's user-mode-linux kernel,
# booted with the host's / as its root (same paths, writes go through) and
# guest-init.c as PID 1. About 2 s to boot; one CPU; each fork is slow.
#
#   test/cgv2/run.sh [--scope /user.slice/user-0.slice/session-1.scope] [--timeout SEC] -- COMMAND [ARG...]
#
# --scope runs COMMAND in that cgroup, made like a login session's scope:
# it holds processes, and its parents pass memory and pids on. The output
# (stdout and stderr together) comes back on stdout; the exit status is
# COMMAND's, 124 on timeout, 125 when the guest failed before it ran.
set -euo pipefail

die() { echo "cgv2: $*" >&2; exit 125; }
scope="" timeout=1800
while [ $# -gt 0 ]; do
  case "$1" in
    --scope) scope=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --) shift; break ;;
    *) die "unknown option $1 (usage: see the top of $0)" ;;
  esac
done
[ $# -gt 0 ] || die "no command given (usage: see the top of $0)"
[ "$(id -u)" = 0 ] || die "run as root"
command -v linux.uml >/dev/null || die "no linux.uml: apt-get install user-mode-linux"
case "$scope" in ''|/?*) ;; *) die "--scope needs an absolute cgroup path" ;; esac

here=$(cd "$(dirname "$0")" && pwd)
init=$here/../../build/cgv2-init
if [ ! -x "$init" ] || [ "$here/guest-init.c" -nt "$init" ]; then
  mkdir -p "$(dirname "$init")"
  cc -static -O2 -Wall -Wextra -o "$init" "$here/guest-init.c"
fi
init=$(readlink -f "$init")

run=$(mktemp -d /var/tmp/baby-docker-cgv2.XXXXXX)
uml=""
cleanup() {
  [ -z "$uml" ] || kill -KILL -- "-$uml" 2>/dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

printf '%s\0' "$@" > "$run/argv"
env -0 > "$run/env"
printf '%s' "$PWD" > "$run/cwd"
printf '%s' "$scope" > "$run/scope"
mkfifo "$run/output"
cat "$run/output" &
reader=$!

# The kernel passes bd_run= on to init as an environment variable. UML runs
# each guest process as a host process of its own: setsid puts them all in
# one group, for the timeout and the cleanup to kill.
set +e
TMPDIR=/dev/shm setsid timeout -k 10 "$timeout" linux.uml mem=2G umid="bd-cgv2-${run##*.}" uml_dir="$run" \
  root=/dev/root rootfstype=hostfs rootflags=/ rw init="$init" bd_run="$run" cgroup_no_v1=all \
  quiet pty.legacy_count=0 con=null con0=fd:0,fd:1 con1=null,fd:3 \
  3>"$run/output" </dev/null >"$run/console.log" 2>&1 &
uml=$!
wait "$uml"
status=$?
uml=""
exec 5<>"$run/output" 5>&- # a guest that never opened the output lets cat end
wait "$reader"
set -e

if [ -s "$run/rc" ]; then exit "$(cat "$run/rc")"; fi
if [ "$status" = 124 ] || [ "$status" = 137 ]; then echo "cgv2: timed out after ${timeout}s" >&2; exit 124; fi
echo "cgv2: the guest ended (status $status) before the command did; its console:" >&2
tail -n 40 "$run/console.log" >&2
exit 125
