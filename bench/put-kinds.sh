#!/usr/bin/env bash
# Server CPU a 1 KiB PUT by kind of PUT, for one or more Coffer builds alternating in one session: (a) signed, to a
# private bucket, fresh keys; (b) anonymous, to a public-read-write bucket, fresh keys; (c) the same anonymous PUTs again,
# overwriting (b)'s objects; (d) and (e) as (b) and (c) with the key shapes of the brief's reference program (--keys
# mixed). All with the wire client of bench/load, 32 in flight, after BENCH_WARMUP signed PUTs and GETs; with
# BENCH_LEAN=path/to/lean.mjs (the reference program's own lean PUT alone: node lean.mjs ENDPOINT BUCKET N C SIZE PREFIX)
# also (f) and (g), that program fresh and overwriting. For each run: PUTs/s, server CPU a PUT (/proc/PID/stat), and
# by thread name the CPU and the context switches a PUT (bench/load/threads.mjs).
#   bench/put-kinds.sh A/coffer.dll [B/coffer.dll ...]     (BENCH_ROUNDS=2, BENCH_COUNT=15000, BENCH_WARMUP=5000)
set -euo pipefail
export NODE_NO_WARNINGS=1
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
load="$repo/bench/load/load.mjs"
threads="$repo/bench/load/threads.mjs"
builds=("$@")
rounds="${BENCH_ROUNDS:-2}"
count="${BENCH_COUNT:-15000}"
warmup="${BENCH_WARMUP:-5000}"
lean="${BENCH_LEAN:-}"
source "$repo/bench/lib/work.sh"
start_work put-kinds

labels=(A B C D E F)
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) before, $(date -u +%H:%M:%S) UTC"
for n in "${!builds[@]}"; do echo "# ${labels[$n]} = ${builds[$n]}"; done
# measure KIND COMMAND...: runs one PUT run of $count and prints its line.
measure() {
  local kind="$1"; shift
  node "$threads" snapshot "$pid" >"$work/threads.json"
  local result
  result="$("$@")"
  local by_thread
  by_thread="$(node "$threads" since "$work/threads.json" "$pid" "$count")"
  jq -rn --arg round "$round" --arg build "${labels[$n]}" --arg kind "$kind" --argjson r "$result" --argjson t "$by_thread" \
    '"\($round) \($build) \($kind): \($r.perSecond)/s, server \($t.perRequest.cpuMicros) µs a PUT (\($t.perRequest.systemMicros) system), client \($r.clientCpuMicrosPerRequest) µs; switches a PUT \($t.perRequest.voluntary) voluntary + \($t.perRequest.nonvoluntary) forced; by thread: \([$t.threads | to_entries[] | select(.value.cpuMicros >= 1 or .value.voluntary >= 0.05) | "\(.key)×\(.value.threads) \(.value.cpuMicros)µs(\(.value.systemMicros)s)/\(.value.voluntary)v/\(.value.nonvoluntary)f"] | join(", "))"'
}
for round in $(seq 1 "$rounds"); do
  for n in "${!builds[@]}"; do
    start_coffer "${builds[$n]}"
    endpoint="http://127.0.0.1:$port"
    signed=(--endpoints "$endpoint" --access AKIDbench --secret bench --region ap-guangzhou --concurrency 32 --client wire --size 1024)
    anonymous=("${signed[@]}" --bucket public-1250000000 --anonymous)
    node "$load" "${signed[@]}" --bucket bench-1250000000 --op bucket >/dev/null
    node "$load" "${signed[@]}" --bucket public-1250000000 --op bucket --acl public-read-write >/dev/null
    for op in put get; do node "$load" "${signed[@]}" --bucket bench-1250000000 --op "$op" --count "$warmup" --prefix warm/ >/dev/null; done
    node "$load" "${anonymous[@]}" --op put --count "$warmup" --prefix warm/ >/dev/null
    measure "a signed private fresh      " node "$load" "${signed[@]}" --bucket bench-1250000000 --pids "$pid" --op put --count "$count" --prefix small/
    measure "b anonymous public fresh    " node "$load" "${anonymous[@]}" --op put --count "$count" --prefix small/
    measure "c anonymous public overwrite" node "$load" "${anonymous[@]}" --op put --count "$count" --prefix small/
    measure "d anon. mixed keys fresh    " node "$load" "${anonymous[@]}" --op put --count "$count" --prefix mixed/ --keys mixed
    measure "e anon. mixed keys overwrite" node "$load" "${anonymous[@]}" --op put --count "$count" --prefix mixed/ --keys mixed
    if [[ -n "$lean" ]]; then
      measure "f reference lean fresh      " node "$lean" "$endpoint" public-1250000000 "$count" 32 1024 lean/
      measure "g reference lean overwrite  " node "$lean" "$endpoint" public-1250000000 "$count" 32 1024 lean/
    fi
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  done
done
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) after, $(date -u +%H:%M:%S) UTC"
