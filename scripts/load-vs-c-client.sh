#!/usr/bin/env bash
# Load comparison: `milter-replay` against the C load client (interop/loadclient: a thread per
# connection, blocking sockets, TCP_NODELAY, one write per step), both driving the same milter in
# the same run, against three milters:
#   libmilter  interop/cmilter --plain (libmilter, every event CONTINUE, EOM ACCEPT)
#   null       interop/nullmilter (one epoll thread that only frames and answers; no NR flags)
#   null-nr    interop/nullmilter --nr (the same, negotiating NR on every stage)
# at 1 and 64 connections, 5 messages per connection, each message with one RCPT, 10 headers and a
# 4 KB body.
#
#   scripts/load-vs-c-client.sh [MILTER...]     (default: libmilter null null-nr)
#
# For each milter and concurrency it runs ROUNDS rounds (default 5); each round runs both clients
# once, alternating which goes first, so that noise from other processes on a shared machine hits
# both. It prints every round's rates and ratio (milter-replay / C client), then the median, lowest
# and highest ratio, and at the end one line per case with the medians.
#
# MESSAGE_FILES (a space-separated list of .eml files) makes both clients send those messages in
# turn instead of the generated one, with the same envelope; each run's total is then rounded down to
# a multiple of the number of files (milter-replay replays the list --repeat times). Real messages of
# many shapes: the repository's fixtures/eml/*.eml and Python's email test messages (Debian package
# libpython3.11-testsuite, /usr/lib/python3.11/test/test_email/data/msg_*.txt):
#   MESSAGE_FILES="$(ls fixtures/eml/*.eml /usr/lib/python3.11/test/test_email/data/msg_*.txt)" \
#       scripts/load-vs-c-client.sh
#
# CAPTURE=FILE replays real traffic instead: the milter sessions of a tcpdump capture of a real MTA
# (classic pcap, `tcpdump -i lo`, IPv4), by default (CAPTURE= with no file) the Postfix load run of
# fixtures/pcap/postfix-load-cmilter.pcap (smtp-source through Postfix to the libmilter cmilter; 100
# sessions, 340 messages; see fixtures/pcap/README.md). Each recorded milter session is one connection
# for both clients, and both replay the same sessions the same number of times, in the same order
# (as each connection ended in the capture), round after round: milter-replay as
# `milter-replay --pcap FILE --connections N --repeat K`, the C client as
# `loadclient -w SESSIONS -c N -n SESSIONS*K`, where scripts/pcap-to-sessions.py wrote SESSIONS (the
# MTA side of every session, frame for frame) from FILE. K is chosen so a run holds about as many
# messages as MESSAGES_1 or MESSAGES_64 (at least one round). Both send every recorded frame after
# OPTNEG (each its own OPTNEG, the same offer as Postfix's), adapted to the milter's NO/NR flags and
# verdicts. The rates are then sessions/s (milter-replay reports no more), shown with the msg/s they
# amount to; the ratio is the same either way, as both runs hold the same messages:
#   CAPTURE= scripts/load-vs-c-client.sh
#
# PIN_CPU=N runs the milter and both clients on CPU N alone (taskset): every message's client and
# milter work then adds up on one core, with no cross-CPU wake-ups, so a round measures the CPU cost
# of a message on both sides, with less noise than the default (where the scheduler spreads them).
#
# Environment: ROUNDS; MESSAGES_1 and MESSAGES_64 (messages per run at 1 and 64 connections;
# defaults 20000 and 20000, and 3000 at 1 connection for libmilter, whose rate there is about a
# seventh of the null milters': each run then lasts about a second, so that neither client's start
# nor the first replay of each exchange, which goes through the state machine before later ones are
# sent from its record, weighs on the rate); CONCURRENCY (default "1 64"); REPLAY_ARGS (extra milter-replay options,
# e.g. "--threads 2"). Needs cc and libmilter-dev (.ci/install-peers).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
milters=("$@")
[ ${#milters[@]} -gt 0 ] || milters=(libmilter null null-nr)
rounds=${ROUNDS:-5}
per_connection=5
work=$(mktemp -d /tmp/load-vs-c-client.XXXXXX)
milter_pid=
stop_milter() {
    if [ -n "$milter_pid" ]; then
        kill "$milter_pid" 2>/dev/null || true
        wait "$milter_pid" 2>/dev/null || true
        milter_pid=
    fi
}
cleanup() {
    stop_milter
    rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -Wall -o "$work/cmilter" "$root/interop/cmilter/cmilter.c" -lmilter -lpthread
cc -O2 -Wall -o "$work/nullmilter" "$root/interop/nullmilter/nullmilter.c"
cc -O2 -Wall -o "$work/loadclient" "$root/interop/loadclient/loadclient.c" -lpthread
(cd "$root" && swift build -c release --product milter-replay >/dev/null)
{
    printf 'From: sender@example.com\r\nTo: rcpt@example.org\r\nSubject: load\r\nDate: Sat, 28 Nov 2026 00:00:00 +0000\r\n'
    printf 'Message-ID: <load@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\nX-Mailer: load\r\n'
    printf 'X-Load-Index: 1\r\nReceived-SPF: none\r\n\r\n'
    for _ in $(seq 55); do printf '%072d\r\n' 0; done
} >"$work/load.eml"

# CAPTURE: the capture (and its sessions for the C client), and how many sessions and messages it holds.
capture=
if [ -n "${CAPTURE+set}" ]; then
    capture=${CAPTURE:-$root/fixtures/pcap/postfix-load-cmilter.pcap}
    [ -z "${MESSAGE_FILES:-}" ] || { echo "CAPTURE and MESSAGE_FILES do not go together" >&2; exit 2; }
    [ -f "$capture" ] && [ -r "$capture" ] || { echo "CAPTURE: cannot read $capture" >&2; exit 2; }
    counts=$(/usr/bin/python3 "$root/scripts/pcap-to-sessions.py" "$capture" "$work/capture.mtas")
    echo "$counts"
    capture_sessions=$(sed -n 's/.*: \([0-9]*\) sessions, .*/\1/p' <<<"$counts")
    capture_messages=$(sed -n 's/.* sessions, \([0-9]*\) messages.*/\1/p' <<<"$counts")
    [ "${capture_messages:-0}" -ge 1 ] || { echo "$capture holds no message" >&2; exit 2; }
fi

# shellcheck source=lib/ports.sh
. "$root/scripts/lib/ports.sh"

# start_milter NAME: starts it on a free port, sets $port.
# The command prefix that pins a process to PIN_CPU, if set.
pin=()
if [ -n "${PIN_CPU:-}" ]; then
    if ! [[ "$PIN_CPU" =~ ^[0-9]+$ ]] || [ "$PIN_CPU" -ge "$(nproc --all)" ]; then
        echo "PIN_CPU must be a CPU number from 0 to $(($(nproc --all) - 1)), not '$PIN_CPU'" >&2
        exit 2
    fi
    pin=(taskset -c "$PIN_CPU")
fi

start_milter() {
    port=$(free_port)
    case $1 in
    libmilter) "${pin[@]}" "$work/cmilter" --plain "inet:$port@127.0.0.1" >"$work/milter.log" 2>&1 & ;;
    null) "${pin[@]}" "$work/nullmilter" "$port" >"$work/milter.log" 2>&1 & ;;
    null-nr) "${pin[@]}" "$work/nullmilter" --nr "$port" >"$work/milter.log" 2>&1 & ;;
    *) echo "unknown milter $1 (libmilter, null, null-nr)" >&2 && exit 2 ;;
    esac
    milter_pid=$!
    wait_port "$port" || { echo "milter $1 did not start" >&2 && exit 1; }
}

# rate_of KIND: the msg/s a client printed.
rate_of() {
    local rate c_name=rate replay_unit=messages
    [ -z "$capture" ] || c_name=sessions_per_s replay_unit=sessions
    case $1 in
    c) rate=$(grep -o " $c_name=[0-9.]*" "$work/c.out" | cut -d= -f2) ;;
    replay) rate=$(sed -n "s/^throughput: \([0-9.]*\) $replay_unit.*/\1/p" "$work/replay.out") ;;
    esac
    if [ -z "$rate" ]; then
        echo "no rate from the $1 client:" >&2
        cat "$work/$1.out" >&2
        exit 1
    fi
    echo "$rate"
}


: >"$work/medians"
for milter in "${milters[@]}"; do
    start_milter "$milter"
    for connections in ${CONCURRENCY:-1 64}; do
        if [ "$connections" != 1 ]; then
            total=${MESSAGES_64:-20000}
        elif [ "$milter" = libmilter ]; then
            total=${MESSAGES_1:-3000}
        else
            total=${MESSAGES_1:-20000}
        fi
        inputs=("$work/load.eml")
        c_inputs=()
        repeat=$total
        if [ -n "${MESSAGE_FILES:-}" ]; then
            # shellcheck disable=SC2206
            inputs=(${MESSAGE_FILES})
            for file in "${inputs[@]}"; do c_inputs+=(-f "$file"); done
            repeat=$((total / ${#inputs[@]}))
            [ "$repeat" -ge 1 ] || repeat=1
            total=$((repeat * ${#inputs[@]}))
        fi
        c_client=("${pin[@]}" "$work/loadclient" -c "$connections" -m "$per_connection" -n "$total" "${c_inputs[@]}" 127.0.0.1 "$port")
        # shellcheck disable=SC2206
        replay=("${pin[@]}" "$root/.build/release/milter-replay" --target "127.0.0.1:$port" --connections "$connections"
            --messages-per-connection "$per_connection" --repeat "$repeat" --quiet
            --from sender@example.com --rcpt rcpt@example.org ${REPLAY_ARGS:-} "${inputs[@]}")
        if [ -n "$capture" ]; then # K rounds of the capture's sessions, about $total messages
            repeat=$((total / capture_messages))
            [ "$repeat" -ge 1 ] || repeat=1
            total=$((repeat * capture_messages))
            sessions=$((repeat * capture_sessions))
            c_client=("${pin[@]}" "$work/loadclient" -w "$work/capture.mtas" -c "$connections" -n "$sessions" 127.0.0.1 "$port")
            # shellcheck disable=SC2206
            replay=("${pin[@]}" "$root/.build/release/milter-replay" --pcap "$capture" --target "127.0.0.1:$port"
                --connections "$connections" --repeat "$repeat" --quiet ${REPLAY_ARGS:-})
            echo "== $milter, $connections connections, $sessions sessions ($repeat x $capture_sessions) per run, $total messages"
        else
            echo "== $milter, $connections connections, $total messages per run"
        fi
        : >"$work/ratios"
        for round in $(seq "$rounds"); do
            if [ $((round % 2)) = 1 ]; then
                "${c_client[@]}" >"$work/c.out"
                "${replay[@]}" >"$work/replay.out" || true
            else
                "${replay[@]}" >"$work/replay.out" || true
                "${c_client[@]}" >"$work/c.out"
            fi
            c_rate=$(rate_of c)
            s_rate=$(rate_of replay)
            awk -v c="$c_rate" -v s="$s_rate" 'BEGIN { print s / c }' >>"$work/ratios"
            if [ -n "$capture" ]; then # sessions/s, and the msg/s they amount to
                awk -v m="$milter" -v n="$connections" -v r="$round" -v c="$c_rate" -v s="$s_rate" \
                    -v k="$((total * 1000 / sessions))" 'BEGIN { k /= 1000
                    printf "%s c=%d round %d: C client %.0f sessions/s (%.0f msg/s), milter-replay %.0f sessions/s (%.0f msg/s), ratio %.2f\n",
                        m, n, r, c, c * k, s, s * k, s / c }'
            else
                awk -v m="$milter" -v n="$connections" -v r="$round" -v c="$c_rate" -v s="$s_rate" 'BEGIN {
                    printf "%s c=%d round %d: C client %.0f msg/s, milter-replay %.0f msg/s, ratio %.2f\n", m, n, r, c, s, s / c }'
            fi
        done
        summary=$(sort -g "$work/ratios" | awk -v m="$milter" -v n="$connections" '{ v[NR] = $1 } END {
            med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%s c=%d: median ratio %.2f (lowest %.2f, highest %.2f, %d rounds)", m, n, med, v[1], v[NR], NR }')
        echo "$summary"
        echo "$summary" >>"$work/medians"
    done
    stop_milter
done
echo "== medians, milter-replay / C client"
cat "$work/medians"
