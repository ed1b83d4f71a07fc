#!/usr/bin/env bash
# cos-nodejs-sdk-v5's own test suite (test/test.js, mocha, written against a real COS bucket) against a Release build
# of Coffer. Manual, not part of scripts/test.sh: it fetches the suite from GitHub and its packages from npm.
#
#   scripts/run-cos-sdk-suite.sh [PATH/TO/coffer.dll]     (default: the Release build; COS_SDK_REPO / COS_SDK_COMMIT pick
#                                                          the suite, COS_SUITE_GREP runs only the tests mocha's -g matches)
#
# What it changes in the suite, in its checkout only: lines 3-4 of test/test.js take `COS` and `request` from
# cos-sdk-suite/coffer-setup.js, which gives every client `Protocol: 'http:', Ip: <our address>` and sends the suite's
# own requests to *.myqcloud.com there. cos-sdk-suite/sts.js stands in for the suite's STS server with a Coffer
# temporary key (listing on the bucket, everything under nodejs-sdk/test/). Prints mocha's summary; the whole log is in
# the work folder it names. docs/compatibility.md ("cos-nodejs-sdk-v5's own test suite") says what fails and why.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dll="${1:-${COFFER_DLL:-$repo_root/src/Coffer.Host/bin/Release/net10.0/coffer.dll}}"
repo="${COS_SDK_REPO:-https://github.com/tencentyun/cos-nodejs-sdk-v5.git}"
commit="${COS_SDK_COMMIT:-af79a8d3ce51257d60d1d4f4eb9c5bf495aa65cc}"
port="${COS_SUITE_PORT:-9731}" sts_port="${COS_SUITE_STS_PORT:-9732}"
[[ -f "$dll" ]] || { echo "run-cos-sdk-suite: no coffer.dll at $dll (dotnet build -c Release src/Coffer.Host)" >&2; exit 2; }

work="$(mktemp -d /tmp/cos-sdk-suite.XXXXXX)"
sdk="$work/cos-nodejs-sdk-v5" data="$work/data"
git clone --quiet "$repo" "$sdk"
git -C "$sdk" checkout --quiet "$commit"
(cd "$sdk" && npm install --no-audit --no-fund --silent)
(cd "$sdk" && npm ls --depth=0 || true) > "$work/npm-ls.log" 2>&1
echo "run-cos-sdk-suite: the suite's packages (npm ls --depth=0):"
cat "$work/npm-ls.log"
cp "$repo_root/scripts/cos-sdk-suite/coffer-setup.js" "$sdk/test/coffer-setup.js"
# Only the two lines this script means to replace: another commit of the suite may have moved them.
if ! sed -n 3p "$sdk/test/test.js" | grep -qF "require('../index')" || ! sed -n 4p "$sdk/test/test.js" | grep -qF "require('request')"; then
    echo "run-cos-sdk-suite: lines 3-4 of test/test.js are not require('../index') / require('request'):" >&2
    sed -n 3,4p "$sdk/test/test.js" >&2
    exit 2
fi
sed -i "3s#.*#var COS = require('./coffer-setup').COS; // patched: Coffer#; 4s#.*#var request = require('./coffer-setup').request; // patched: Coffer#" "$sdk/test/test.js"

export COFFER_ROOT_APPID=1250000000 COFFER_ROOT_UIN=100000000001
export COFFER_ROOT_SECRET_ID=AKIDcossuite0000000000000000000000 COFFER_ROOT_SECRET_KEY=cossuiteSecretKey000000000000000
dotnet "$dll" serve --data "$data" --listen "127.0.0.1:$port" --console off > "$work/coffer.log" 2>&1 &
coffer_pid=$!
sts_pid=
trap 'kill $coffer_pid $sts_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 1; done

dotnet "$dll" admin tempkey create --data "$data" --appid "$COFFER_ROOT_APPID" --duration 129600 \
    --policy "$repo_root/scripts/cos-sdk-suite/tempkey-policy.json" > "$work/tempkey.json"
export SecretId=$COFFER_ROOT_SECRET_ID SecretKey=$COFFER_ROOT_SECRET_KEY Bucket=cossuite-1250000000 Region=ap-guangzhou
export Uin=$COFFER_ROOT_UIN nodejssdkStsUrl="http://127.0.0.1:$sts_port" COFFER_IP="127.0.0.1:$port" COS_SDK_DIR="$sdk"
node "$repo_root/scripts/cos-sdk-suite/sts.js" "$work/tempkey.json" "$sts_port" &
sts_pid=$!
sleep 1
(cd "$sdk" && node -e "
const { COS } = require('./test/coffer-setup');
new COS({ SecretId: process.env.SecretId, SecretKey: process.env.SecretKey })
  .putBucket({ Bucket: process.env.Bucket, Region: process.env.Region }, (err) => process.exit(err ? 1 : 0));")

status=0
(cd "$sdk" && npx mocha --reporter spec --exit ${COS_SUITE_GREP:+-g "$COS_SUITE_GREP"} test/test.js) > "$work/mocha.log" 2>&1 || status=$?
grep -E '^  [0-9]+ (passing|failing|pending)' "$work/mocha.log" || true
echo "run-cos-sdk-suite: log in $work/mocha.log (mocha exit $status: the number of failing tests)"
