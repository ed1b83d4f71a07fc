#!/usr/bin/env bash
# S3 Batch Operations with Debian's awscli (`aws s3control`) against a real coffer server: create-job without and with
# confirmation, describe-job, list-jobs --job-statuses, update-job-priority, update-job-status (Ready, Cancelled), and
# get-/put-/delete-job-tagging; the jobs' effects are checked object by object with `aws s3api get-object-tagging`.
#
#   scripts/check-batch-awscli.sh [PATH/TO/coffer.dll]      (or COFFER_DLL=...; default: the Debug build)
#
# awscli puts the account in front of the endpoint's host (<uin>.s3-control.<region>.amazonaws.com, also from
# --endpoint-url), a name no DNS here resolves: the requests go through HTTP_PROXY set to the server itself, so they
# reach it with the very host awscli built and signed (absolute-form request targets, which Kestrel accepts).
# awscli comes from scripts/smoke-s3-tools.sh's install (the test command runs that first) or apt-get here.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dll="${1:-${COFFER_DLL:-$repo_root/src/Coffer.Host/bin/Debug/net10.0/coffer.dll}}"
source "$repo_root/scripts/lib/awscli-coffer.sh"

die() { printf 'batch awscli check: %s\n' "$*" >&2; exit 2; }
[[ -f "$dll" ]] || die "no coffer.dll at $dll (build first)"
ensure_awscli

new_work_folder batch-awscli

region=ap-guangzhou appid=1250000000 uin=100000000001
secret_id=AKIDbatchAwscli00000000000000000000 secret_key=batchawsclibatchawsclibatchaws12
bucket="batch-cli-$appid"

COFFER_ROOT_APPID=$appid COFFER_ROOT_UIN=$uin COFFER_ROOT_SECRET_ID=$secret_id COFFER_ROOT_SECRET_KEY=$secret_key \
    start_coffer "$dll" --region "$region"
port="${endpoint##*:}"

use_awscli "$region"
export AWS_ACCESS_KEY_ID=$secret_id AWS_SECRET_ACCESS_KEY=$secret_key
unset NO_PROXY no_proxy
s3api() { "$AWS" --endpoint-url "$endpoint" --cli-read-timeout 15 s3api "$@"; }
control() {
    HTTP_PROXY="$endpoint" http_proxy="$endpoint" "$AWS" --endpoint-url "http://s3-control.$region.amazonaws.com:$port" --cli-read-timeout 15 \
        s3control "$@" --account-id "$uin"
}
fail() { printf 'FAIL %s\n' "$*"; tail -20 "$work/server.log"; exit 1; }
expect() { [[ $2 == "$3" ]] || fail "$1: got '$2', want '$3'"; }
status() { control describe-job --job-id "$1" --query Job.Status --output text; }
wait_for() { # wait_for JOB STATUS
    local now
    for _ in $(seq 1 300); do
        now="$(status "$1")"
        [[ $now == "$2" ]] && return 0
        [[ $now == Failed || $now == Cancelled || $now == Complete ]] && fail "job $1 ended $now, not $2: $(control describe-job --job-id "$1")"
        sleep 0.2
    done
    fail "job $1 did not reach $2 (it is $now)"
}
tags_of() { s3api get-object-tagging --bucket "$bucket" --key "$1" --query 'TagSet[].[Key,Value]' --output text; }
create() { # create JOB-TAG-VALUE CONFIRMATION-FLAG [more create-job arguments]: prints the job id
    local value=$1 confirmation=$2
    shift 2
    control create-job "$confirmation" --priority 10 --role-arn "arn:aws:iam::$uin:role/batch" \
        --operation "{\"S3PutObjectTagging\":{\"TagSet\":[{\"Key\":\"batch\",\"Value\":\"$value\"}]}}" \
        --manifest "{\"Spec\":{\"Format\":\"S3BatchOperations_CSV_20180820\",\"Fields\":[\"Bucket\",\"Key\"]},\"Location\":{\"ObjectArn\":\"arn:aws:s3:::$bucket/list.csv\",\"ETag\":$etag}}" \
        --report '{"Enabled":false}' "$@" --query JobId --output text
}

s3api create-bucket --bucket "$bucket" >/dev/null
for key in one.txt two.txt; do printf '%s' "$key" >"$work/body"; s3api put-object --bucket "$bucket" --key "$key" --body "$work/body" >/dev/null; done
printf '%s,one.txt\n%s,two.txt\n' "$bucket" "$bucket" >"$work/list.csv"
etag="$(s3api put-object --bucket "$bucket" --key list.csv --body "$work/list.csv" --query ETag --output json)"

# 1. Without confirmation: the job runs at once and tags both objects.
quick="$(create quick --no-confirmation-required)"
[[ $quick =~ ^[0-9a-f-]{36}$ ]] || fail "create-job answered '$quick'"
wait_for "$quick" Complete
expect "progress of $quick" "$(control describe-job --job-id "$quick" --query 'Job.ProgressSummary.[TotalNumberOfTasks,NumberOfTasksSucceeded,NumberOfTasksFailed]' --output text)" "$(printf '2\t2\t0')"
for key in one.txt two.txt; do expect "tags of $key" "$(tags_of "$key")" "$(printf 'batch\tquick')"; done

# 2. With confirmation: Suspended until confirmed; priority, listing by status and job tags meanwhile; then Ready runs it.
confirmed="$(create confirmed --confirmation-required --tags Key=owner,Value=awscli)"
wait_for "$confirmed" Suspended
expect "listed as Suspended" "$(control list-jobs --job-statuses Suspended --query "Jobs[?JobId=='$confirmed'].[Operation,Priority]" --output text)" "$(printf 'S3PutObjectTagging\t10')"
expect "listed as Complete" "$(control list-jobs --job-statuses Complete --query 'Jobs[].JobId' --output text)" "$quick"
control update-job-priority --job-id "$confirmed" --priority 42 >/dev/null
expect "priority" "$(control describe-job --job-id "$confirmed" --query Job.Priority --output text)" 42
expect "job tags" "$(control get-job-tagging --job-id "$confirmed" --query 'Tags[].[Key,Value]' --output text)" "$(printf 'owner\tawscli')"
control put-job-tagging --job-id "$confirmed" --tags Key=owner,Value=ops Key=stage,Value=test >/dev/null
expect "job tags after put" "$(control get-job-tagging --job-id "$confirmed" --query 'sort_by(Tags,&Key)[].[Key,Value]' --output text)" \
    "$(printf 'owner\tops\nstage\ttest')"
control delete-job-tagging --job-id "$confirmed" >/dev/null
expect "job tags after delete" "$(control get-job-tagging --job-id "$confirmed" --query 'length(Tags || `[]`)' --output text)" 0
for key in one.txt two.txt; do expect "tags of $key before confirming" "$(tags_of "$key")" "$(printf 'batch\tquick')"; done
expect "update-job-status Ready" "$(control update-job-status --job-id "$confirmed" --requested-job-status Ready --query Status --output text)" Ready
wait_for "$confirmed" Complete
for key in one.txt two.txt; do expect "tags of $key" "$(tags_of "$key")" "$(printf 'batch\tconfirmed')"; done

# 3. Cancelled while waiting for confirmation: it ends without running, and a second cancel is JobStatusException (409).
cancelled="$(create cancelled --confirmation-required)"
wait_for "$cancelled" Suspended
expect "update-job-status Cancelled" "$(control update-job-status --job-id "$cancelled" --requested-job-status Cancelled \
    --status-update-reason "not needed" --query Status --output text)" Cancelled
expect "status after cancel" "$(status "$cancelled")" Cancelled
expect "listed as Cancelled" "$(control list-jobs --job-statuses Cancelled --query 'Jobs[].JobId' --output text)" "$cancelled"
if control update-job-status --job-id "$cancelled" --requested-job-status Ready 2>"$work/error"; then fail "a cancelled job was confirmed"; fi
grep -q "JobStatusException" "$work/error" || fail "confirming a cancelled job: $(cat "$work/error")"
for key in one.txt two.txt; do expect "tags of $key after the cancelled job" "$(tags_of "$key")" "$(printf 'batch\tconfirmed')"; done

printf 'PASS  awscli s3control: create (with and without confirmation), describe, list, priority, status, job tagging\n'
