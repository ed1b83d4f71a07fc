#!/usr/bin/env bash
# A partitioned one-time CSV inventory (six optional fields, as `inventory-run`) of the same bucket on SQLite and on
# PostgreSQL, then on PostgreSQL split across two nodes: `inventory-run` posts and coordinates each run and scans
# partitions with its workers while `inventory-help`, a second process on the same database and data folder, takes
# partitions beside it. Prints every run's line (with `partitionsHere`, the partitions the first node scanned)
# and a line for each partition the second node scanned.
#   bench/cluster-partitions.sh [OBJECTS [PARTITION_ROWS [ROUNDS]]]     (defaults: 1000000, 125000, 3)
# PostgreSQL is a throw-away cluster (scripts/postgres.sh --durable) on a free loopback port; the work folder is removed.
# BENCH_LOCK=FILE holds that flock(1) lock around each measurement (not the seeding), for a machine shared with others.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
objects=${1:-1000000}
partition_rows=${2:-125000}
rounds=${3:-3}
work="$(mktemp -d "${TMPDIR:-/tmp}/coffer-partitions-bench.XXXXXX")"
chmod 755 "$work"   # as root, PostgreSQL runs as the postgres user, which must reach its folder inside this one
cleanup() {
  "$repo/scripts/postgres.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

measure() { if [[ -n ${BENCH_LOCK:-} ]]; then flock "$BENCH_LOCK" "$@"; else "$@"; fi; }
measure dotnet build "$repo/bench/Coffer.Benchmarks" -c Release -v q -nologo >/dev/null
bench=(env BENCH_PARTITION_ROWS="$partition_rows" dotnet "$repo/bench/Coffer.Benchmarks/bin/Release/net10.0/Coffer.Benchmarks.dll")
admin="$("$repo/scripts/postgres.sh" start "$work/pg" --durable)"
psql "$admin" -qc "CREATE DATABASE inventory"
url="${admin%/*}/inventory"
echo "# $objects objects, partitions of at most $partition_rows rows, $(nproc) cores; PostgreSQL $(psql "$admin" -tAc 'SHOW server_version')"

echo "## SQLite, one node"
nice -n 19 "${bench[@]}" inventory-seed "$work/sqlite" "$objects"
measure "${bench[@]}" inventory-run "$work/sqlite" csv "$rounds"

echo "## PostgreSQL, one node"
pg=(env COFFER_METADATA="$url" "${bench[@]:1}")
nice -n 19 "${pg[@]}" inventory-seed "$work/pg-data" "$objects"
# The first scan of a freshly copied table would otherwise pay for autovacuum's first pass (docs/performance.md).
psql "$url" -qc "VACUUM ANALYZE"
measure "${pg[@]}" inventory-run "$work/pg-data" csv "$rounds"

echo "## PostgreSQL, two nodes"
# The second node (inventory-help) runs while the lock is held for the first one's runs.
(
  [[ -n ${BENCH_LOCK:-} ]] && exec 9>"$BENCH_LOCK" && flock 9
  "${pg[@]}" inventory-help "$work/pg-data" 3600 &
  helper=$!
  trap 'kill $helper 2>/dev/null; wait $helper' EXIT
  "${pg[@]}" inventory-run "$work/pg-data" csv "$rounds"
  sleep 1
)
