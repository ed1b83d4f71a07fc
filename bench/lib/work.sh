# Sourced by the benchmark scripts that run one server at a time (after setting $repo): start_work NAME makes the
# temporary work folder $work, arranges that on exit the server whose id is in $pid (if any) is killed and the folder
# removed, and installs the load client's packages (bench/load; s3rver and fauxqs among them) when they are missing or
# older than bench/load/package-lock.json (npm writes node_modules/.package-lock.json on each install).
source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"
start_work() {
  work="$(mktemp -d "${TMPDIR:-/tmp}/coffer-$1.XXXXXX")"
  pid=""
  trap stop_work EXIT
  local installed="$repo/bench/load/node_modules/.package-lock.json"
  if [[ ! -f "$installed" || "$repo/bench/load/package-lock.json" -nt "$installed" ]]; then
    (cd "$repo/bench/load" && npm ci --no-audit --no-fund --silent)
  fi
}
stop_work() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
# start_coffer DLL [ARGS...]: starts that build on a fresh, durable embedded data folder in $work (the root account
# AKIDbench/bench, app id 1250000000) on a free loopback $port, with ARGS added to `serve`, its output in
# $work/coffer.log, its id in $pid, and returns once its start-up warm-up has ended.
start_coffer() {
  port="$(free_port)"
  rm -rf "$work/data"
  COFFER_ROOT_APPID=1250000000 COFFER_ROOT_UIN=100000000001 COFFER_ROOT_SECRET_ID=AKIDbench COFFER_ROOT_SECRET_KEY=bench \
    dotnet "$1" serve --data "$work/data" --listen "127.0.0.1:$port" --console off "${@:2}" >"$work/coffer.log" 2>&1 &
  pid=$!
  wait_for_port "$port"
  wait_for_warm_up "$work/coffer.log"
}
# need_wrk: installs wrk, the native load client of load.mjs --client wrk, from Debian's packages when it is missing (the
# package lists refreshed only when the install fails).
need_wrk() {
  command -v wrk >/dev/null && return
  local sudo=""
  [[ "$(id -u)" == 0 ]] || sudo=sudo
  $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null 2>&1 \
    || { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
}
