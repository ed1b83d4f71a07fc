# What the awscli checks (scripts/check-*-aws*.sh) share: Debian's awscli (installed if missing), a work folder removed
# on exit together with the coffer server started in it, and awscli pointed at that server with none of the machine's
# own AWS settings. The sourcing script defines `die` first.

AWS=/usr/bin/aws

ensure_awscli() {
    [[ -x $AWS ]] && return
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends awscli >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends awscli >/dev/null; } || die "apt-get install awscli failed"
}

# new_work_folder NAME: sets $work, a fresh folder that the exit trap removes after stopping the server.
new_work_folder() {
    work="$(mktemp -d "${TMPDIR:-/tmp}/coffer-$1.XXXXXX")"
    server_pid=""
    trap stop_coffer_and_clean_up EXIT
}

stop_coffer_and_clean_up() {
    local rc=$?
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
    exit "$rc"
}

# start_coffer DLL [SERVE_OPTIONS...]: `coffer serve` on a free loopback port with its data in $work/data; sets
# $server_pid and $endpoint once the server says where it listens.
start_coffer() {
    local dll=$1 line
    shift
    dotnet "$dll" serve --data "$work/data" --listen 127.0.0.1:0 --console off "$@" >"$work/server.log" 2>&1 </dev/null &
    server_pid=$!
    endpoint=""
    for _ in $(seq 1 600); do
        if line="$(grep -m1 -o 'listening on http://[^ ]*' "$work/server.log" 2>/dev/null)"; then endpoint="${line#listening on }"; break; fi
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; die "coffer exited during start-up"; }
        sleep 0.1
    done
    [[ -n $endpoint ]] || die "coffer did not start"
}

# use_awscli REGION: path-style addressing in REGION, and no profile, credentials file or region from the environment.
use_awscli() {
    printf '[default]\nregion = %s\ns3 =\n    addressing_style = path\n' "$1" >"$work/aws-config"
    export AWS_CONFIG_FILE="$work/aws-config" AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
    unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_REGION AWS_REGION
}
