#!/usr/bin/env bash
# Runs every test Coffer has, from a fresh clone: style check, build (which builds the console page with npm), unit,
# integration, process and browser tests (Debian's chromium, installed if missing), the compat suite that drives the real
# server with official client SDKs from npm, the README quickstart, the S3 tools smoke run, and the AWS-documented
# inventory destination policy with awscli. Console screenshots are kept in artifacts/console/.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

step() { printf '\n==> %s\n' "$*"; }

step "restore"
dotnet restore Coffer.slnx

step "format check (dotnet format --verify-no-changes)"
dotnet format Coffer.slnx --verify-no-changes --no-restore

step "build (the console page too: npm ci and vite build in src/Coffer.WebConsole/web)"
dotnet build Coffer.slnx --no-restore -c Debug

step "browser: Debian's chromium for the console tests (installed if missing)"
if [[ ! -x /usr/bin/chromium ]]; then
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
        || { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
fi
/usr/bin/chromium --version

step ".NET tests: unit, loopback integration, process, browser (screenshots in artifacts/console/)"
dotnet test Coffer.slnx --no-build -c Debug

step "compat suite: official SDKs against a running coffer"
(
  cd tests/compat
  npm ci --no-audit --no-fund
  COFFER_CONFIGURATION=Debug node run.mjs
)

step "quickstart: the README's start command in an empty folder, and its client calls"
(cd tests/compat && node quickstart.mjs)

step "smoke: Debian's awscli, s3cmd and rclone sync a tree up and down"
COFFER_DLL="$PWD/src/Coffer.Host/bin/Debug/net10.0/coffer.dll" bash scripts/smoke-s3-tools.sh

step "inventory destination policy as AWS documents it, with awscli: allowed and denied"
COFFER_DLL="$PWD/src/Coffer.Host/bin/Debug/net10.0/coffer.dll" bash scripts/check-inventory-policy-aws.sh

step "all tests passed"
