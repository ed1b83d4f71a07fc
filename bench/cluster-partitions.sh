#!/usr/bin/env bash
# A partitioned one-time CSV inventory (six optional fields, as `inventory-run`) of the same bucket on SQLite and on
# PostgreSQL, then on PostgreSQL split across two nodes: `inventory-run` posts and coordinates each run and scans
# partitions with its workers while `inventory-help`, a second process on the same database and data folder, takes
# partitions beside it. Prints every run's line (with `partitions` and `partitionsHere`, those the first node scanned)
# and a line for each partition the second node scanned.
#   bench/cluster-partitions.sh [OBJECTS [PARTITION_ROWS [ROUNDS]]]     (defaults: 1000000, 125000, 3)
# PostgreSQL is a throw-away cluster (scripts/postgres.sh --durable) on a free loopback port; the work folder is removed.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
objects=${1:-1000000}
partition_rows=${2:-125000}
rounds=${3:-3}
work="$(mktemp -d "${TMPDIR:-/tmp}/coffer-partitions-bench.XXXXXX")"
chmod 755 "$work"   # as root, PostgreSQL runs as the postgres user, which must reach its folder inside this one
helper=""
cleanup() {
  [[ -n $helper ]] && kill "$helper" 2>/dev/null || true
  wait 2>/dev/null || true
  "$repo/scripts/postgres.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build "$repo/bench/Coffer.Benchmarks" -c Release -v q -nologo >/dev/null
bench() { BENCH_PARTITION_ROWS=$partition_rows dotnet "$repo/bench/Coffer.Benchmarks/bin/Release/net10.0/Coffer.Benchmarks.dll" "$@"; }
admin="$("$repo/scripts/postgres.sh" start "$work/pg" --durable)"
psql "$admin" -qc "CREATE DATABASE inventory"
url="${admin%/*}/inventory"
echo "# $objects objects, partitions of at most $partition_rows rows, $(nproc) cores; PostgreSQL $(psql "$admin" -tAc 'SHOW server_version')"

echo "## SQLite, one node"
bench inventory-seed "$work/sqlite" "$objects"
bench inventory-run "$work/sqlite" csv "$rounds"

echo "## PostgreSQL, one node"
COFFER_METADATA=$url bench inventory-seed "$work/pg-data" "$objects"
# The first scan of a freshly copied table would otherwise pay for autovacuum's first pass (docs/performance.md).
psql "$url" -qc "VACUUM ANALYZE"
COFFER_METADATA=$url bench inventory-run "$work/pg-data" csv "$rounds"

echo "## PostgreSQL, two nodes"
COFFER_METADATA=$url bench inventory-help "$work/pg-data" 3600 &
helper=$!
COFFER_METADATA=$url bench inventory-run "$work/pg-data" csv "$rounds"
sleep 1
kill "$helper"; wait "$helper" 2>/dev/null || true; helper=""
