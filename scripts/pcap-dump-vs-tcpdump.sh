#!/usr/bin/env bash
# Compares the time of `milter-replay --pcap FILE --dump` with tcpdump's on the same file, for two captures:
#  1. a generated one (~100 MB, about 500 bytes per packet) against `tcpdump -r FILE -w /dev/null`;
#  2. a real one, recorded with tcpdump on lo during a milter-replay load run against the libmilter milter
#     (interop/cmilter --plain; 64 connections, 5 messages per connection, each with 10 headers and a 4 KB body:
#     mostly small packets), against `tcpdump -r FILE` (text to /dev/null) and `tshark -r FILE -q` when installed.
#   scripts/pcap-dump-vs-tcpdump.sh [MEGABYTES]      (default 100: the generated capture's size)
# The generated capture comes from Benchmarks' pcap-generate (Postfix-like sessions, pcap, Ethernet). The CLI is
# built in release mode ($MILTER_REPLAY overrides it). For the generated capture the commands run in turn for
# $ROUNDS rounds (default 5); the best wall-clock and CPU (user + system) times count, and the medians are shown
# beside them. For the real capture each of $ROUNDS rounds runs every command once, starting with a different one
# each round, and prints its times and ratios; then the median, lowest and highest of each ratio. On a shared
# machine the wall-clock figures are noisy: compare ratios from one run, and run it several times.
# STATIC=1 builds the CLI with --static-swift-stdlib (into .build-static), as one ships a Swift CLI on Linux:
# no Swift or Foundation shared libraries to load and bind at start.
# SYNTHETIC=0 skips the generated capture. REAL=0 skips the real one; REAL=1 requires it (by default it is recorded
# when cc, libmilter-dev and tcpdump are installed and this runs as root: .ci/install-peers sets them up).
# REAL_MESSAGES (default 16000) is the load run's message count (about 38 packets each). The real capture is
# written under /tmp and removed at the end; KEEP_CAPTURE=PATH moves it there instead. It is never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
megabytes=${1:-100}
work=$(mktemp -d /tmp/pcap-dump-vs-tcpdump.XXXXXX)
milter_pid=
capture_pid=
cleanup() {
    for pid in $capture_pid $milter_pid; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

cli=${MILTER_REPLAY:-.build/release/milter-replay}
if [ -z "${MILTER_REPLAY:-}" ] && [ "${STATIC:-0}" = 1 ]; then
    swift build -c release --product milter-replay --static-swift-stdlib --scratch-path .build-static >&2
    cli=.build-static/release/milter-replay
elif [ -z "${MILTER_REPLAY:-}" ]; then
    swift build -c release --product milter-replay >&2
fi

# shellcheck source=scripts/timed.sh
source scripts/timed.sh

# best and median of a list of numbers, "BEST MEDIAN"
best_median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[1], v[int((NR + 1) / 2)] }'; }

rounds=${ROUNDS:-5}

# 1. The generated capture. Rounds run the three commands in turn, so that a slow moment of the shared machine
# hits each alike.
if [ "${SYNTHETIC:-1}" != 0 ]; then
    (cd Benchmarks && swift build -c release --product pcap-generate >&2)
    Benchmarks/.build/release/pcap-generate "$work/capture.pcap" "$megabytes"
    sync "$work/capture.pcap" # no writeback of the fresh file during the timed runs
    dump=("$cli" --pcap "$work/capture.pcap" --dump)
    declare -A walls cpus
    for _ in $(seq "$rounds"); do
        for name in text write dump; do
            case $name in
                write) read -r wall cpu <<<"$(timed tcpdump -r "$work/capture.pcap" -w /dev/null)" ;;
                text) read -r wall cpu <<<"$(timed tcpdump -r "$work/capture.pcap")" ;;
                dump) read -r wall cpu <<<"$(timed "${dump[@]}")" ;;
            esac
            walls[$name]+="$wall "
            cpus[$name]+="$cpu "
        done
    done
    read -r tcpdump_wall tcpdump_median <<<"$(best_median "${walls[write]}")"
    read -r tcpdump_cpu _ <<<"$(best_median "${cpus[write]}")"
    read -r text_wall _ <<<"$(best_median "${walls[text]}")"
    read -r text_cpu _ <<<"$(best_median "${cpus[text]}")"
    read -r dump_wall dump_median <<<"$(best_median "${walls[dump]}")"
    read -r dump_cpu _ <<<"$(best_median "${cpus[dump]}")"
    echo "== generated capture: $(stat -c %s "$work/capture.pcap") bytes; $rounds rounds, best (median) of each"
    echo "tcpdump -r FILE -w /dev/null:    wall ${tcpdump_wall} (${tcpdump_median}) ms, cpu ${tcpdump_cpu} ms"
    echo "tcpdump -r FILE (text, ref.):     wall ${text_wall} ms, cpu ${text_cpu} ms"
    echo "milter-replay --pcap FILE --dump:  wall ${dump_wall} (${dump_median}) ms, cpu ${dump_cpu} ms"
    awk -v d="$dump_wall" -v t="$tcpdump_wall" -v dm="$dump_median" -v tm="$tcpdump_median" -v dc="$dump_cpu" \
        -v tc="$tcpdump_cpu" -v xc="$text_cpu" 'BEGIN {
        printf "ratio dump / tcpdump -w: wall %.2f (median %.2f), cpu %.2f\n", d / (t > 0 ? t : 1), dm / (tm > 0 ? tm : 1),
            dc / (tc > 0 ? tc : 1)
        printf "ratio dump / tcpdump text: cpu %.2f\n", dc / (xc > 0 ? xc : 1)
    }'
    rm -f "$work/capture.pcap"
fi

# 2. The real capture.
real=${REAL:-auto}
[ "$real" != 0 ] || exit 0
missing=
command -v cc >/dev/null || missing+=" cc"
[ -f /usr/include/libmilter/mfapi.h ] || missing+=" libmilter-dev"
command -v tcpdump >/dev/null || missing+=" tcpdump"
[ "$(id -u)" = 0 ] || missing+=" root (tcpdump -i lo)"
if [ -n "$missing" ]; then
    echo "== real capture skipped: missing$missing (.ci/install-peers)" >&2
    [ "$real" = 1 ] && exit 1
    exit 0
fi

cc -O2 -Wall -o "$work/cmilter" interop/cmilter/cmilter.c -lmilter -lpthread
{
    printf 'From: sender@example.com\r\nTo: rcpt@example.org\r\nSubject: load\r\nDate: Sat, 28 Nov 2026 00:00:00 +0000\r\n'
    printf 'Message-ID: <load@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\nX-Mailer: load\r\n'
    printf 'X-Load-Index: 1\r\nReceived-SPF: none\r\n\r\n'
    for _ in $(seq 55); do printf '%072d\r\n' 0; done
} >"$work/load.eml"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$work/cmilter" --plain "inet:$port@127.0.0.1" >"$work/milter.log" 2>&1 &
milter_pid=$!
for _ in $(seq 100); do
    /usr/bin/python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$port" \
        2>/dev/null && break
    sleep 0.1
done

capture=$work/real.pcap
# -B: a 64 MiB kernel buffer, so that the capture drops nothing while the load runs on the same cores.
tcpdump -i lo -s 0 -B 65536 -w "$capture" "tcp port $port" 2>"$work/tcpdump.log" &
capture_pid=$!
for _ in $(seq 100); do
    grep -q "listening on" "$work/tcpdump.log" && break
    sleep 0.1
done
grep -q "listening on" "$work/tcpdump.log" || { echo "tcpdump did not start: $(cat "$work/tcpdump.log")" >&2 && exit 1; }
"$cli" --target "127.0.0.1:$port" --connections 64 --messages-per-connection 5 --repeat "${REAL_MESSAGES:-16000}" \
    --quiet --from sender@example.com --rcpt rcpt@example.org "$work/load.eml" >"$work/load.out" || true
sleep 1 # the last segments reach the capture
kill -INT "$capture_pid"
wait "$capture_pid" 2>/dev/null || true
capture_pid=
kill "$milter_pid"
wait "$milter_pid" 2>/dev/null || true
milter_pid=
sync "$capture"
packets=$(tcpdump -r "$capture" 2>/dev/null | wc -l)
lines=$("$cli" --pcap "$capture" --dump | wc -l)
echo "== real capture: $packets packets, $(stat -c %s "$capture") bytes, $lines transcript lines, from a load run" \
    "against libmilter on port $port"
grep -h "packets\|throughput" "$work/tcpdump.log" "$work/load.out" | sed 's/^/   /'

names=(dump tcpdump tcpdump-w)
command -v tshark >/dev/null && names+=(tshark)
declare -A real_walls
: >"$work/ratios"
for round in $(seq "$rounds"); do
    # Each round starts with the next command, so that no command always runs first (or just after another).
    count=${#names[@]}
    line="round $round:"
    for i in $(seq 0 $((count - 1))); do
        name=${names[$(((round - 1 + i) % count))]}
        case $name in
            dump) read -r wall _ <<<"$(timed "$cli" --pcap "$capture" --dump)" ;;
            tcpdump) read -r wall _ <<<"$(timed tcpdump -r "$capture")" ;;
            tcpdump-w) read -r wall _ <<<"$(timed tcpdump -r "$capture" -w /dev/null)" ;;
            tshark) read -r wall _ <<<"$(timed tshark -r "$capture" -q)" ;;
        esac
        real_walls[$name]=$wall
        line+=" $name ${wall} ms,"
    done
    ratios="dump/tcpdump $(awk -v d="${real_walls[dump]}" -v t="${real_walls[tcpdump]}" 'BEGIN { printf "%.2f", d / (t > 0 ? t : 1) }')"
    ratios+=" dump/tcpdump-w $(awk -v d="${real_walls[dump]}" -v t="${real_walls[tcpdump-w]}" 'BEGIN { printf "%.2f", d / (t > 0 ? t : 1) }')"
    if [ -n "${real_walls[tshark]:-}" ]; then
        ratios+=" dump/tshark $(awk -v d="${real_walls[dump]}" -v t="${real_walls[tshark]}" 'BEGIN { printf "%.2f", d / (t > 0 ? t : 1) }')"
    fi
    echo "$line ratios: $ratios"
    echo "$ratios" >>"$work/ratios"
done
# The median, lowest and highest of each ratio over the rounds.
awk '{ for (i = 1; i < NF; i += 2) { n[$i]++; v[$i, n[$i]] = $(i + 1) } }
END {
    for (name in n) {
        m = n[name]
        for (i = 1; i <= m; i++) s[i] = v[name, i]
        for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
        med = (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
        printf "%s: median %.2f (lowest %.2f, highest %.2f, %d rounds)\n", name, med, s[1], s[m], m
    }
}' "$work/ratios" | sort
if [ -n "${KEEP_CAPTURE:-}" ]; then mv "$capture" "$KEEP_CAPTURE" && echo "capture kept: $KEEP_CAPTURE"; fi
