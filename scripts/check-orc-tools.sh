#!/usr/bin/env bash
# Reads an ORC inventory report with Apache ORC's own C++ tools and compares every row with the CSV report of the same
# bucket. Not part of the test command: the tools are not packaged for Debian. Given the folder that holds them:
#
#   ORC_TOOLS=/path/to/orc-tools scripts/check-orc-tools.sh [OBJECTS]     (default 100000)
#
# It seeds a bucket with the benchmark tool, serves it with runs cut into partitions of at most 30,000 rows (so each
# report is several files, one per partition), runs a one-time ORC and CSV inventory through cos-nodejs-sdk-v5, and
# checks that orc-metadata, orc-statistics and orc-contents read every ORC file without error and that orc-contents
# prints the CSV report's rows, file after file in manifest order.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ORC_TOOLS:?set ORC_TOOLS to the folder holding orc-contents, orc-metadata and orc-statistics}"
objects=${1:-100000}
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

dotnet build -c Release -v q bench/Coffer.Benchmarks
dotnet build -c Release -v q src/Coffer.Host
(cd tests/compat && npm ci --no-audit --no-fund >/dev/null)
dotnet bench/Coffer.Benchmarks/bin/Release/net10.0/Coffer.Benchmarks.dll inventory-seed "$work/data" "$objects"

echo '{ "inventory": { "partitionRows": 30000 } }' >"$work/partitions.json"
COFFER_ROOT_APPID=1250000000 COFFER_ROOT_UIN=100000000001 COFFER_ROOT_SECRET_ID=AKIDbench COFFER_ROOT_SECRET_KEY=bench \
  dotnet src/Coffer.Host/bin/Release/net10.0/coffer.dll serve --data "$work/data" --listen 127.0.0.1:0 --config "$work/partitions.json" \
  >"$work/server.log" &
server=$!
for _ in $(seq 1 120); do
  grep -q 'listening on' "$work/server.log" && break
  sleep 0.5
done
address=$(grep -o 'listening on http://[^ ]*' "$work/server.log" | sed 's|listening on http://||')
node tests/compat/tools/download-reports.mjs "$address" "$work"

for file in $(ls "$work" | grep -E '^ORC\.[0-9]+$' | sort -t. -k2 -n | sed "s|^|$work/|"); do
  "$ORC_TOOLS/orc-metadata" "$file" >"$file.metadata.json"
  "$ORC_TOOLS/orc-statistics" "$file" >/dev/null
  "$ORC_TOOLS/orc-contents" "$file" >>"$work/contents.jsonl"
  grep -E '"rows"|"compression"' "$file.metadata.json" | head -2
done

python3 - "$work" <<'PY'
import csv, datetime, glob, gzip, json, sys, urllib.parse
work = sys.argv[1]
paths = sorted(glob.glob(f'{work}/CSV.[0-9]*'), key=lambda path: int(path.rsplit('.', 1)[1]))  # manifest order
expected = [row for path in paths for row in csv.reader(gzip.open(path, 'rt', encoding='utf-8'))]
def iso(text):  # orc-contents prints "2026-01-01 00:01:40.1" (UTC, the writer's zone)
    seconds, _, fraction = text.partition('.')
    return datetime.datetime.strptime(seconds, '%Y-%m-%d %H:%M:%S').strftime('%Y-%m-%dT%H:%M:%S') + f'.{fraction.ljust(3, "0")[:3]}Z'
rows = 0
with open(f'{work}/contents.jsonl', encoding='utf-8') as contents:
    for line, want in zip(contents, expected, strict=True):
        o = json.loads(line)
        got = [o['appid'], o['bucket'], urllib.parse.quote(o['key'], safe=''), str(o['size']), iso(o['last_modified_date']),
               o['e_tag'], o['storage_class'], 'true' if o['is_multipart_uploaded'] else 'false', o['crc64']]
        if got != want:
            sys.exit(f'row {rows}: orc-contents {got} != CSV {want}')
        rows += 1
print(f'orc-contents printed {rows} rows, each equal to the CSV report of the same bucket')
PY
