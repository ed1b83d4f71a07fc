#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests and benchmarks, never a system service:
#   scripts/postgres.sh start DIR [--durable] [--owner PID]
#                                               creates a cluster in DIR (initdb) on a free loopback port, starts it and
#                                               prints its admin URL (postgres://postgres@127.0.0.1:PORT/postgres)
#   scripts/postgres.sh stop DIR                stops it (DIR stays; remove it yourself)
#   scripts/postgres.sh resume DIR              starts a stopped cluster again, on the port it had
# Without --durable the cluster skips fsync (tests check Coffer, not PostgreSQL's own durability); benchmarks pass
# --durable. As root, the server runs as the 'postgres' user (initdb refuses root). Installs Debian's postgresql if
# initdb is nowhere to be found.
# With --owner, a detached watcher stops the cluster and removes DIR once process PID has ended, however it ended: a
# test process cannot do that itself, as `dotnet test` kills the test host 100 ms after its last test, in the middle
# of its exit handlers (VSTEST_TESTHOST_SHUTDOWN_TIMEOUT), and a killed run never reaches them at all.
set -euo pipefail

find_bin() {
  local name=$1 found
  found=$(command -v "$name" 2>/dev/null || true)
  [[ -z $found ]] && found=$(ls -1d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1 || true)
  echo "$found"
}

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

usage() { echo "usage: $0 start|stop|resume DIR [--durable] [--owner PID]" >&2; exit 2; }

# Stops the cluster in DIR and removes DIR once process $1 is gone; setsid and closed descriptors keep the watcher out
# of the owner's process group and off the pipes of whoever started this script.
watch_owner() {
  setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; bash "$2" stop "$3"; rm -rf "$3"' \
    watcher "$1" "$(readlink -f "$0")" "$dir" </dev/null >/dev/null 2>&1 &
}

command=${1:-}; dir=${2:-}
[[ -n $command && -n $dir ]] || usage
durable=false; owner=""
shift 2
while [[ $# -gt 0 ]]; do
  case $1 in
    --durable) durable=true; shift ;;
    --owner) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; owner=$2; shift 2 ;;
    *) usage ;;
  esac
done

case $command in
  start)
    if [[ -z $(find_bin initdb) ]]; then
      echo "postgres.sh: installing Debian's postgresql" >&2
      sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
      $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >&2
    fi
    initdb=$(find_bin initdb); pg_ctl=$(find_bin pg_ctl)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    # Watched from the start, so a cluster that fails half-way through starting is removed as well.
    [[ -n $owner ]] && watch_owner "$owner"
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir" && chmod 700 "$dir"
    as_owner "$initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C -A trust >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    settings="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c shared_buffers=256MB"
    $durable || settings+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    as_owner "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$settings" -w -t 60 start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "$settings" >"$dir/settings"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  resume)
    pg_ctl=$(find_bin pg_ctl)
    as_owner "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$(cat "$dir/settings")" -w -t 60 start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    pg_ctl=$(find_bin pg_ctl)
    [[ -d $dir/data ]] && as_owner "$pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *)
    usage ;;
esac
