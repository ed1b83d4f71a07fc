#!/usr/bin/env bash
# SQLite beside PostgreSQL, measured in one run on this machine (figures in docs/performance.md):
#   - seeding rate and one-time CSV inventory runs of a seeded bucket on each engine (BENCH_OBJECTS, default 1000000;
#     several sizes may be given, e.g. BENCH_OBJECTS="1000000 10000000");
#   - PUTs of 1 KiB objects, 32 in flight (BENCH_PUTS, default 10000), through one SQLite node, one PostgreSQL node,
#     and two PostgreSQL nodes sharing a data folder (the load client alternating between them), with p50/p99 latency
#     and the servers' CPU time per PUT.
# PostgreSQL is a throw-away cluster (scripts/postgres.sh, durable: fsync on) on a free loopback port.
#   bench/cluster.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
objects_list="${BENCH_OBJECTS:-1000000}"
puts="${BENCH_PUTS:-10000}"
work="$(mktemp -d "${TMPDIR:-/tmp}/coffer-cluster-bench.XXXXXX")"
# As root, PostgreSQL runs as the postgres user, which must reach the cluster folder inside this one.
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$repo/scripts/postgres.sh" stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT

echo "# building (Release)"
dotnet build "$repo/src/Coffer.Host" -c Release -v q -nologo >/dev/null
dotnet build "$repo/bench/Coffer.Benchmarks" -c Release -v q -nologo >/dev/null
(cd "$repo/bench/load" && npm ci --no-audit --no-fund --silent)
coffer="$repo/src/Coffer.Host/bin/Release/net10.0/coffer.dll"
benchmarks="$repo/bench/Coffer.Benchmarks/bin/Release/net10.0/Coffer.Benchmarks.dll"
admin="$("$repo/scripts/postgres.sh" start "$work/pg" --durable)"
new_database() { psql "$admin" -qc "CREATE DATABASE $1"; echo "${admin%/*}/$1"; }
echo "# PostgreSQL: $admin ($(psql "$admin" -tAc 'SHOW server_version'), fsync $(psql "$admin" -tAc 'SHOW fsync'))"

for objects in $objects_list; do
  echo "## inventory, $objects objects"
  dotnet "$benchmarks" inventory-seed "$work/sqlite-$objects" "$objects"
  dotnet "$benchmarks" inventory-run "$work/sqlite-$objects" csv 3
  url="$(new_database "inv$objects")"
  COFFER_METADATA="$url" dotnet "$benchmarks" inventory-seed "$work/pg-$objects" "$objects"
  COFFER_METADATA="$url" dotnet "$benchmarks" inventory-run "$work/pg-$objects" csv 3
done

# start_node NAME [--metadata URL]: a node on a free port; sets endpoint and pid
start_node() {
  local name=$1; shift
  COFFER_ROOT_APPID=1250000000 COFFER_ROOT_UIN=100000000001 COFFER_ROOT_SECRET_ID=AKIDbench COFFER_ROOT_SECRET_KEY=bench \
    dotnet "$coffer" serve --data "$work/$name-data" --listen 127.0.0.1:0 --console off "$@" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 600); do
    if endpoint="$(grep -m1 -o 'listening on http://[^ ]*' "$work/$name.log" 2>/dev/null)"; then endpoint="${endpoint#listening on }"; return 0; fi
    sleep 0.1
  done
  cat "$work/$name.log" >&2
  return 1
}
load() { node "$repo/bench/load/load.mjs" --access AKIDbench --secret bench "$@"; }

echo "## PUT 1 KiB, 32 in flight, $puts objects (raw keep-alive client, then @aws-sdk/client-s3)"
start_node sqlite; sqlite_endpoint=$endpoint; sqlite_pid=$pid
load --endpoints "$sqlite_endpoint" --op bucket --bucket bench-1250000000 >/dev/null
for client in raw sdk; do
  echo "sqlite, 1 node, $client: $(load --endpoints "$sqlite_endpoint" --bucket bench-1250000000 --count "$puts" --client "$client" --prefix "$client/" --pids "$sqlite_pid")"
done

url="$(new_database puts)"
start_node pg1 --metadata "$url"; first_endpoint=$endpoint; first_pid=$pid
load --endpoints "$first_endpoint" --op bucket --bucket bench-1250000000 >/dev/null
for client in raw sdk; do
  echo "postgres, 1 node, $client: $(load --endpoints "$first_endpoint" --bucket bench-1250000000 --count "$puts" --client "$client" --prefix "one-$client/" --pids "$first_pid")"
done
mkdir -p "$work/pg2-data"
rm -rf "$work/pg2-data" && ln -s "$work/pg1-data" "$work/pg2-data"
start_node pg2 --metadata "$url"; second_endpoint=$endpoint; second_pid=$pid
for client in raw sdk; do
  echo "postgres, 2 nodes, $client: $(load --endpoints "$first_endpoint,$second_endpoint" --bucket bench-1250000000 --count "$puts" --client "$client" --prefix "two-$client/" --pids "$first_pid,$second_pid")"
done
