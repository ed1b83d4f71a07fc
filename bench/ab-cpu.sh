#!/usr/bin/env bash
# Server CPU per request of two or more Coffer builds (A, B, ...), measured alternately in one session (on a shared machine the
# absolute values move between rounds; the difference within a round is what counts). Each run starts the build on a
# fresh data folder (embedded engine, durable), waits for its start-up inventory warm-up to end, warms it up with
# BENCH_WARMUP PUTs and GETs, then runs BENCH_COUNT PUTs, GETs and HEADs of 1 KiB with the client of bench/load named
# by BENCH_CLIENT (raw, the default, or wire, which spends about a third of raw's CPU a request and so leaves the server more
# of the two cores), 32 in flight, and prints the CPU per request (/proc/PID/stat user + system over the run) and the
# requests/s of each.
#   bench/ab-cpu.sh A/coffer.dll B/coffer.dll [C/coffer.dll ...]
#   (BENCH_ROUNDS=2, BENCH_COUNT=15000, BENCH_WARMUP=5000, BENCH_CLIENT=raw)
set -euo pipefail
export NODE_NO_WARNINGS=1
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
load="$repo/bench/load/load.mjs"
builds=("$@")
rounds="${BENCH_ROUNDS:-2}"
count="${BENCH_COUNT:-15000}"
warmup="${BENCH_WARMUP:-5000}"
client="${BENCH_CLIENT:-raw}"
source "$repo/bench/lib/work.sh"
start_work ab

labels=(A B C D E F)
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) before"
for n in "${!builds[@]}"; do echo "# ${labels[$n]} = ${builds[$n]}"; done
echo "# load client: $client"
printf '%-6s %-2s %18s %18s %18s\n' round ab "PUT µs(req/s)" "GET µs(req/s)" "HEAD µs(req/s)"
for round in $(seq 1 "$rounds"); do
  for n in "${!builds[@]}"; do
    start_coffer "${builds[$n]}"
    common=(--endpoints "http://127.0.0.1:$port" --bucket bench-1250000000 --access AKIDbench --secret bench --region ap-guangzhou --concurrency 32 --client "$client")
    node "$load" "${common[@]}" --op bucket >/dev/null
    for op in put get; do node "$load" "${common[@]}" --op "$op" --count "$warmup" --prefix warm/ >/dev/null; done
    line=""
    for op in put get head; do
      result="$(node "$load" "${common[@]}" --pids "$pid" --op "$op" --size 1024 --count "$count" --prefix small/)"
      line+="$(jq -r '"\(.serverCpuMicrosPerRequest)(\(.perSecond)/s)"' <<<"$result") "
    done
    # shellcheck disable=SC2086
    printf '%-6s %-2s %18s %18s %18s\n' "$round" "${labels[$n]}" $line
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  done
done
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) after"
