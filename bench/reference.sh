#!/usr/bin/env bash
# Coffer's one-time inventory beside the reference pipeline (../shared/reference-bench, `sqlite-direct`: SQLite range
# scans, CSV rows, gzip level 1, no server) in one run on the same machine, and the ratio of the two:
#
#   bench/reference.sh WORK [OBJECTS [ROUNDS [FORMAT...]]]     (defaults: 1000000, 4 rounds, CSV)
#
# WORK keeps the seeded data between runs (a SQLite index for the reference, a Coffer data folder for us, each seeded
# once per OBJECTS). The reference's sources are copied to WORK to be built there (its folder is read-only) and are
# never part of this repository. The reference's figure is the best of its two-thread lines (pipelined, and two range
# halves); ours is the median of the warm rounds (every round after the first) of `inventory-run`, CSV, six optional
# fields, POST to manifest.checksum. Both databases are read into the page cache first (BENCH_COLD=1 leaves it as it
# is). Prints every line of both and, last, `RATIO` lines.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:?usage: bench/reference.sh WORK [OBJECTS [ROUNDS [FORMAT...]]]}
objects=${2:-1000000}
rounds=${3:-4}
formats=("${@:4}")
warm_up=${WARM_UP:-wait}   # the benchmark's start-up warm-up: wait (as `coffer serve`, first run after it), beside, off
cold=${BENCH_COLD:-0}      # 1: leave the page cache as it is (a first run may then read its database from disk)
[[ ${#formats[@]} -gt 0 ]] || formats=(CSV)
reference=${REFERENCE_BENCH:-../shared/reference-bench}
mkdir -p "$work"
work=$(cd "$work" && pwd)

mkdir -p "$work/reference"
cp "$reference"/*.cs "$reference"/*.csproj "$work/reference/"
dotnet build -c Release -v q "$work/reference" >/dev/null
dotnet build -c Release -v q bench/Coffer.Benchmarks >/dev/null
mkdir -p "$work/reference/data"   # the reference writes scratch databases under ./data
ref() { (cd "$work/reference" && dotnet bin/Release/net10.0/Bench.dll "$@"); }
ours="dotnet bench/Coffer.Benchmarks/bin/Release/net10.0/Coffer.Benchmarks.dll"

[[ -f $work/reference-$objects.db ]] || ref sqlite-load "$objects" "$work/reference-$objects.db"
[[ -d $work/coffer-$objects ]] || $ours inventory-seed "$work/coffer-$objects" "$objects"

# This machine drops page-cache pages nobody touched for a few minutes, so without this the first reader of a database
# in a command reads it from disk. Both sides read theirs into the page cache first: a first run then measures the
# process's start (JIT, warm-up), the same as a first run after `coffer serve` on a machine that has its data cached.
cache_pages() { [[ $cold == 1 ]] || find "$@" -maxdepth 1 -name '*.db*' -type f -exec cat {} + >/dev/null; }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) before the runs"
cache_pages "$work"/reference-"$objects".db*
ref sqlite-direct "$objects" "$work/reference-$objects.db" | tee "$work/reference.out"
limit=$(grep -E 'RESULT .*(pipelined \(2 threads\)|2 threads x \(range scan \+ csv \+ gzip Fastest\) aggregate)' "$work/reference.out" \
  | sed -E 's/.*median ([0-9.]+)([Mk]?) rows\/s.*/\1 \2/' \
  | awk '{ v = $1 * ($2 == "M" ? 1e6 : $2 == "k" ? 1e3 : 1); if (v > best) best = v } END { printf "%.0f", best }')

for format in "${formats[@]}"; do
  cache_pages "$work/coffer-$objects"
  $ours inventory-run "$work/coffer-$objects" "$format" "$rounds" "$warm_up" | tee "$work/coffer-$format.out"
  warm=$(grep '"round":' "$work/coffer-$format.out" | grep -v '"round":1,' | grep -o '"objectsPerSecond":[0-9.]*' | cut -d: -f2 | sort -n \
    | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
  first=$(grep '"round":1,' "$work/coffer-$format.out" | grep -o '"objectsPerSecond":[0-9.]*' | cut -d: -f2)
  awk -v f="$format" -v n="$objects" -v w="$warm" -v s="$first" -v r="$limit" 'BEGIN {
    printf "RATIO %s %d objects: warm %.0f rows/s, first run %.0f rows/s, reference %.0f rows/s: warm %.2f x, first run %.2f x the reference\n",
      f, n, w, s, r, w / r, s / r }'
done
echo "machine: load $(cut -d' ' -f1-3 /proc/loadavg) after the runs"
