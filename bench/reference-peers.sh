#!/usr/bin/env bash
# The brief's peer benchmark (../shared/reference-bench/peers: s3bench.mjs and run-peers.sh) against Coffer, s3rver and
# fauxqs in one run: the peers folder is copied into a work folder (../shared is read-only; its packages are installed
# there with npm ci), a fresh Release server of this checkout (or BENCH_DLL) is started on the embedded engine,
# durable, with region us-east-1 (the program signs for it), a public-read-write bucket bench-1250000000 is made (the
# program's lean PUTs are unsigned), and s3bench.mjs runs twice against it: cold, its first requests once the start-up
# warm-ups have ended (before 2026-12-07 there was no request warm-up, and the JIT compiled the request path during
# this run), then warm (overwriting the same keys); then run-peers.sh runs the same program against
# s3rver and fauxqs. Prints the program's RESULT lines and the ratios of Coffer's lean and SDK PUT to the peers'.
#   bench/reference-peers.sh        (N=10000 objects, C=32 in flight, SIZE=1024 bytes, as the brief measured)
#   BENCH_RUNS=5 bench/reference-peers.sh   (five runs in a row, each its own fresh server and peers; a ratio table a run
#                                            and how many runs met each of issue 12's PUT figures)
# About 1.5-2 minutes a run on the 2-core machine after the build (2026-12-07).
set -euo pipefail
export NODE_NO_WARNINGS=1
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peers_source="${REFERENCE_PEERS:-$repo/../shared/reference-bench/peers}"
[[ -f "$peers_source/s3bench.mjs" ]] || { echo "no s3bench.mjs in $peers_source (set REFERENCE_PEERS)" >&2; exit 2; }
export N="${N:-10000}" C="${C:-32}" SIZE="${SIZE:-1024}"
runs="${BENCH_RUNS:-1}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_RUNS must be a whole number from 1" >&2; exit 2; }
source "$repo/bench/lib/work.sh"
start_work reference-peers
peers="$work/peers"
mkdir -p "$peers" && cp -R "$peers_source/." "$peers/" && chmod -R u+w "$peers"
# s3bench.mjs writes its do-it-yourself inventory into data/, run-peers.sh its servers' logs into results/.
rm -rf "$peers/node_modules" "$peers/data" "$peers/results" && mkdir -p "$peers/results" "$peers/data"
(cd "$peers" && npm ci --no-audit --no-fund --silent)

coffer="${BENCH_DLL:-$repo/src/Coffer.Host/bin/Release/net10.0/coffer.dll}"
if [[ -z "${BENCH_DLL:-}" ]]; then dotnet build "$repo/src/Coffer.Host" -c Release -v q -nologo >/dev/null; fi
for ((r = 1; r <= runs; r++)); do
  results="$work/results-$r.txt"
  echo "# run $r of $runs: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run; $(date -u '+%F %T UTC'); coffer $(git -C "$repo" rev-parse --short HEAD)"
  start_coffer "$coffer" --region us-east-1
  (cd "$peers" && AWS_ACCESS_KEY_ID=AKIDbench AWS_SECRET_ACCESS_KEY=bench node --input-type=module -e "
    import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
    const s3 = new S3Client({ endpoint: 'http://127.0.0.1:$port', region: 'us-east-1', forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'bench-1250000000', ACL: 'public-read-write' }));")
  for run in cold warm; do
    echo "## coffer, $run"
    # A failed run is said and the script goes on, so the runs before it keep their tables: its figures count as not
    # measured, and "every lean PUT figure" as not met.
    (cd "$peers" && AK=AKIDbench SK=bench node s3bench.mjs "http://127.0.0.1:$port" "$pid" "$N" "$C" "$SIZE" bench-1250000000) 2>&1 \
      | grep -E '^RESULT|^#' | sed "s/^RESULT/RESULT coffer-$run/" | tee -a "$results" || echo "# run $r: coffer, $run failed"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  # run-peers.sh ends with the status of the server it killed (143), so its status says nothing; its RESULT lines do.
  (cd "$peers" && bash run-peers.sh || true) 2>&1 | grep -E '^RESULT|^#' | awk '/^# s3rver/{s="s3rver"} /^# fauxqs/{s="fauxqs"} {if (s) sub(/^RESULT/, "RESULT " s)} {print}' \
    | tee -a "$results"
  echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) after the run; $(date -u '+%F %T UTC')"
done

# Ratios: objects/s of Coffer's lean and SDK PUT, cold and warm, to each peer's, a table a run; with more than one run,
# how many runs met each of issue 12's PUT figures (at least 5 x s3rver, at least fauxqs, at most 150 us a lean PUT).
python3 - "$work"/results-*.txt <<'PY'
import os, re, sys
env = os.environ
n = int(env['N'])
met = {}  # figure -> (runs that met it, runs that measured it)
def count(figure, ok):
    hits, runs = met.get(figure, (0, 0))
    met[figure] = (hits + ok, runs + 1)
paths = sorted(sys.argv[1:], key=lambda p: int(re.search(r'results-(\d+)', os.path.basename(p)).group(1)))
for number, path in enumerate(paths, 1):
    rate = {}
    for line in open(path):
        m = re.match(r'RESULT (\S+) (lean PUT|PUT) .*?median (\d+) objects/s.*server cpu s/run=([\d.]+)', line)
        if m:
            rate[(m.group(1), m.group(2))] = (int(m.group(3)), float(m.group(4)))
    print(f"\n| run {number}: {n:,} PUTs of {env['SIZE']} bytes, {env['C']} in flight: objects/s (server µs a PUT) | lean | SDK |\n| --- | ---: | ---: |")
    for server in ('coffer-cold', 'coffer-warm', 's3rver', 'fauxqs'):
        cells = [f'{rate[(server, k)][0]:,} ({rate[(server, k)][1] / n * 1e6:,.0f} µs)' if (server, k) in rate else '-' for k in ('lean PUT', 'PUT')]
        print(f'| {server} | {cells[0]} | {cells[1]} |')
    lean = []  # this run's lean PUT figures, met or not
    for peer, floor in (('s3rver', 5), ('fauxqs', 1)):
        for run in ('cold', 'warm'):
            ratios = [rate[('coffer-' + run, k)][0] / rate[(peer, k)][0] if ('coffer-' + run, k) in rate and (peer, k) in rate else None for k in ('lean PUT', 'PUT')]
            print(f'| coffer {run} / {peer} | ' + ' | '.join('-' if x is None else f'{x:.2f} ×' for x in ratios) + ' |')
            for kind, ratio in zip(('lean PUT', 'SDK PUT'), ratios):
                if ratio is not None:
                    count(f'{kind} {run}: at least {"5 × s3rver" if peer == "s3rver" else "fauxqs"}', ratio >= floor)
                    if kind == 'lean PUT':
                        lean.append(ratio >= floor)
    for run in ('cold', 'warm'):
        if ('coffer-' + run, 'lean PUT') in rate:
            cpu = rate[('coffer-' + run, 'lean PUT')][1] / n * 1e6
            count(f'lean PUT {run}: at most 150 µs of server CPU', cpu <= 150)
            lean.append(cpu <= 150)
    count('every lean PUT figure above, cold and warm', len(lean) == 6 and all(lean))
if len(paths) > 1:
    print(f'\n| Issue 12 figure, {len(paths)} runs | runs that met it |\n| --- | ---: |')
    for figure, (hits, runs) in met.items():
        print(f'| {figure} | {hits} of {runs} |')
PY
