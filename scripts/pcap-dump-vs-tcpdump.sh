#!/usr/bin/env bash
# Compares the time of `milter-replay --pcap FILE --dump` on a ~100 MB capture with
# `tcpdump -r FILE -w /dev/null` on the same file.
#   scripts/pcap-dump-vs-tcpdump.sh [MEGABYTES]      (default 100)
# The capture is generated (Postfix-like sessions, pcap, Ethernet) by Benchmarks' pcap-generate. The CLI is
# built in release mode ($MILTER_REPLAY overrides it). Each command runs three times; the best wall-clock and
# CPU (user + system) times count. On a shared machine the wall-clock figures are noisy: run it several times.
# STATIC=1 builds the CLI with --static-swift-stdlib (into .build-static), as one ships a Swift CLI on Linux:
# no Swift or Foundation shared libraries to load and bind at start.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
megabytes=${1:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd Benchmarks && swift build -c release --product pcap-generate >&2)
Benchmarks/.build/release/pcap-generate "$work/capture.pcap" "$megabytes"
sync "$work/capture.pcap"  # no writeback of the fresh file during the timed runs
cli=${MILTER_REPLAY:-.build/release/milter-replay}
if [ -z "${MILTER_REPLAY:-}" ] && [ "${STATIC:-0}" = 1 ]; then
    swift build -c release --product milter-replay --static-swift-stdlib --scratch-path .build-static >&2
    cli=.build-static/release/milter-replay
elif [ -z "${MILTER_REPLAY:-}" ]; then
    swift build -c release --product milter-replay >&2
fi
dump=("$cli" --pcap "$work/capture.pcap" --dump)

# best COMMAND...: the lowest wall-clock and CPU (user + system) milliseconds of three runs, "WALL CPU"
# (bash's `time`, millisecond resolution).
best() {
    local best_wall="" best_cpu="" TIMEFORMAT="%3R %3U %3S"
    for _ in 1 2 3; do
        local report wall cpu
        report=$({ time "$@" >/dev/null 2>&1; } 2>&1 | tail -1)
        wall=$(awk '{ printf "%d", $1 * 1000 }' <<<"$report")
        cpu=$(awk '{ printf "%d", ($2 + $3) * 1000 }' <<<"$report")
        if [ -z "$best_wall" ] || [ "$wall" -lt "$best_wall" ]; then best_wall=$wall; fi
        if [ -z "$best_cpu" ] || [ "$cpu" -lt "$best_cpu" ]; then best_cpu=$cpu; fi
    done
    echo "$best_wall $best_cpu"
}

read -r tcpdump_wall tcpdump_cpu <<<"$(best tcpdump -r "$work/capture.pcap" -w /dev/null)"
read -r text_wall text_cpu <<<"$(best tcpdump -r "$work/capture.pcap")"
read -r dump_wall dump_cpu <<<"$(best "${dump[@]}")"
echo "capture: $(stat -c %s "$work/capture.pcap") bytes"
echo "tcpdump -r FILE -w /dev/null:    wall ${tcpdump_wall} ms, cpu ${tcpdump_cpu} ms"
echo "tcpdump -r FILE (text, ref.):     wall ${text_wall} ms, cpu ${text_cpu} ms"
echo "milter-replay --pcap FILE --dump:  wall ${dump_wall} ms, cpu ${dump_cpu} ms"
awk -v d="$dump_wall" -v t="$tcpdump_wall" -v dc="$dump_cpu" -v tc="$tcpdump_cpu" -v xc="$text_cpu" 'BEGIN {
    printf "ratio dump / tcpdump -w: wall %.2f, cpu %.2f\n", d / (t > 0 ? t : 1), dc / (tc > 0 ? tc : 1)
    printf "ratio dump / tcpdump text: cpu %.2f\n", dc / (xc > 0 ? xc : 1)
}'
