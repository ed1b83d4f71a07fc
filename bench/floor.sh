#!/usr/bin/env bash
# The floor under Coffer's request path: an empty Kestrel app (Coffer.Benchmarks kestrel-floor: reads a PUT's body,
# answers a GET with 1 KiB, nothing else) beside Coffer, both driven by wrk (bench/load/load.mjs --client wrk: requests
# signed before the run, 16-20 µs of client CPU a request), round after round in one command. Each round starts each
# server afresh (Coffer on a fresh, durable embedded data folder, after its start-up warm-up), warms it with BENCH_WARMUP
# PUTs and GETs of 1 KiB, then runs BENCH_COUNT PUTs and GETs of 1 KiB, 32 in flight, and prints the server's CPU a
# request (/proc/PID/stat user + system over the run) and its requests/s. Coffer's own share of a request is at most its
# figure less the floor's in the same round: the empty app runs at several times Coffer's rate, so what it pays per
# wake-up is shared by more requests.
#   bench/floor.sh [coffer.dll]   (BENCH_ROUNDS=3, BENCH_COUNT=30000, BENCH_WARMUP=20000; the default build: this
#                                  checkout's Release build, made first)
set -euo pipefail
export NODE_NO_WARNINGS=1
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
load="$repo/bench/load/load.mjs"
rounds="${BENCH_ROUNDS:-3}"
count="${BENCH_COUNT:-30000}"
warmup="${BENCH_WARMUP:-20000}"
source "$repo/bench/lib/work.sh"
start_work floor
need_wrk
dotnet build "$repo/bench/Coffer.Benchmarks" -c Release -v q -nologo >/dev/null
floor="$repo/bench/Coffer.Benchmarks/bin/Release/net10.0/Coffer.Benchmarks.dll"
if [[ $# -ge 1 ]]; then
  coffer="$1"
else
  dotnet build "$repo/src/Coffer.Host" -c Release -v q -nologo >/dev/null
  coffer="$repo/src/Coffer.Host/bin/Release/net10.0/coffer.dll"
fi

# measure SERVER ROUND: the warm-up, then one PUT run and one GET run against the server listening on $port (id $pid).
measure() {
  local common=(--endpoints "http://127.0.0.1:$port" --bucket bench-1250000000 --access AKIDbench --secret bench --region ap-guangzhou
    --concurrency 32 --client wrk --size 1024)
  local line="" op result
  for op in put get; do node "$load" "${common[@]}" --op "$op" --count "$warmup" --prefix warm/ >/dev/null; done
  for op in put get; do
    result="$(node "$load" "${common[@]}" --pids "$pid" --op "$op" --count "$count" --prefix "round$2/")"
    line+="$(jq -r '"\(.serverCpuMicrosPerRequest) µs (\(.perSecond)/s)"' <<<"$result") | "
  done
  echo "| $2 | $1 | ${line% }"
}

echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) before; $coffer"
echo "| round | server | PUT 1 KiB: server CPU (rate) | GET 1 KiB: server CPU (rate) |"
echo "| --- | --- | ---: | ---: |"
for round in $(seq 1 "$rounds"); do
  port="$(free_port)"
  dotnet "$floor" kestrel-floor "$port" >"$work/floor.log" 2>&1 &
  pid=$!
  wait_for_port "$port"
  measure "Kestrel, empty" "$round"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  start_coffer "$coffer"
  node "$load" --endpoints "http://127.0.0.1:$port" --bucket bench-1250000000 --access AKIDbench --secret bench --region ap-guangzhou \
    --op bucket >/dev/null
  measure Coffer "$round"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) after"
