# Helpers shared by the scripts that record real milter captures (scripts/record-fixtures.sh,
# scripts/record-postfix-load-capture.sh): free ports, background peers (cmilter, smtp-sink, private
# Postfix instances from interop/postfix/postfix-instance.sh), and a capture that starts and stops
# around a run. Source it from bash after setting `root` (the repository) and `work` (a scratch
# directory the postfix user can reach); it installs an EXIT trap that stops everything it started.
# KEEP=1 keeps $work.

pids=()
instances=()

recording_cleanup() {
    local dir pid
    for dir in "${instances[@]}"; do postfix -c "$dir/etc" stop >/dev/null 2>&1 || true; done
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ "${KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap recording_cleanup EXIT

free_port() {
    /usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET); s.bind((sys.argv[1],0)); print(s.getsockname()[1])' "${1:-127.0.0.1}"
}

wait_listening() { # HOST PORT
    local i
    for i in $(seq 100); do
        if /usr/bin/python3 -c 'import socket,sys; socket.create_connection((sys.argv[1],int(sys.argv[2])),1)' "$1" "$2" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "nothing listens on $1 port $2" >&2
    return 1
}

# Starts a background process, remembering its pid in $started; output goes to LOG.
start_bg() { # LOG CMD...
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
    started=$!
    pids+=("$started")
}

build_cmilter() { # into $work/cmilter
    cc -O2 -Wall -o "$work/cmilter" "$root/interop/cmilter/cmilter.c" -lmilter -lpthread
}

start_cmilter() { # HOST [CMILTER_OPTION...] (default --headers -v); sets milter_spec for Postfix, milter_port
    local host=$1 port spec
    shift
    [ $# -gt 0 ] || set -- --headers -v
    port=$(free_port "$host")
    if [[ $host == *:* ]]; then spec="inet6:$port@$host" milter_spec="inet:[$host]:$port"; else spec="inet:$port@$host" milter_spec="inet:$host:$port"; fi
    start_bg "$work/cmilter-$port.log" "$work/cmilter" "$@" "$spec"
    wait_listening "$host" "$port"
    milter_port=$port
}

start_postfix() { # NAME MILTER_SPEC [name=value ...]; sets smtp_port, pf_dir
    local name=$1 milters=$2 sink_port
    shift 2
    pf_dir="$work/postfix-$name"
    mkdir -p "$pf_dir/sink" && chmod 777 "$pf_dir/sink"
    sink_port=$(free_port)
    start_bg "$pf_dir/sink.log" smtp-sink -u nobody -d "$pf_dir/sink/%Y%m%d%H%M%S." "127.0.0.1:$sink_port" 100
    wait_listening 127.0.0.1 "$sink_port"
    smtp_port=$(free_port)
    bash "$root/interop/postfix/postfix-instance.sh" create "$pf_dir" "127.0.0.1:$smtp_port" "127.0.0.1:$sink_port" "$milters" "$@"
    postfix -c "$pf_dir/etc" start
    instances+=("$pf_dir")
    wait_listening 127.0.0.1 "$smtp_port"
    sleep 2 # the probe above is an SMTP connection too: let its milter session end before capturing
}

# Starts a capture; the first argument is the file, the rest the capture command line.
start_capture() { # FILE CMD...
    local file=$1 i
    shift
    rm -f "$file"
    start_bg "$work/capture.log" "$@"
    capture_pid=$started
    for i in $(seq 100); do
        grep -qiE 'listening on|capturing on' "$work/capture.log" && { sleep 0.5; return 0; }
        sleep 0.1
    done
    cat "$work/capture.log" >&2
    return 1
}

stop_capture() {
    sleep 1.5 # let Postfix finish with the milter (QUIT after the SMTP QUIT)
    kill -INT "$capture_pid"
    wait "$capture_pid" 2>/dev/null || true
    cat "$work/capture.log"
}

# Waits until Postfix has delivered or held everything it accepted.
wait_queue_idle() {
    local i
    for i in $(seq 100); do
        if ! postqueue -c "$pf_dir/etc" -j | grep -qv '"queue_name": "hold"'; then return 0; fi
        sleep 0.2
    done
}
