#!/usr/bin/env bash
# Compares the time of `milter-replay --pcap FILE --dump` on a ~100 MB capture with
# `tcpdump -r FILE -w /dev/null` on the same file.
#   scripts/pcap-dump-vs-tcpdump.sh [MEGABYTES]      (default 100)
# The capture is generated (Postfix-like sessions, pcap, Ethernet) by Benchmarks' pcap-generate. The CLI is
# built in release mode ($MILTER_REPLAY overrides it). The commands run in turn for $ROUNDS rounds (default 5); the
# best wall-clock and CPU (user + system) times count, and the medians are shown beside them. On a shared machine
# the wall-clock figures are noisy: run it several times.
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

# shellcheck source=scripts/timed.sh
source scripts/timed.sh

# Rounds run the three commands in turn, so that a slow moment of the shared machine hits each alike.
rounds=${ROUNDS:-5}
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

# best and median of a list of numbers, "BEST MEDIAN"
best_median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[1], v[int((NR + 1) / 2)] }'; }
read -r tcpdump_wall tcpdump_median <<<"$(best_median "${walls[write]}")"
read -r tcpdump_cpu _ <<<"$(best_median "${cpus[write]}")"
read -r text_wall _ <<<"$(best_median "${walls[text]}")"
read -r text_cpu _ <<<"$(best_median "${cpus[text]}")"
read -r dump_wall dump_median <<<"$(best_median "${walls[dump]}")"
read -r dump_cpu _ <<<"$(best_median "${cpus[dump]}")"
echo "capture: $(stat -c %s "$work/capture.pcap") bytes; $rounds rounds, best (median) of each"
echo "tcpdump -r FILE -w /dev/null:    wall ${tcpdump_wall} (${tcpdump_median}) ms, cpu ${tcpdump_cpu} ms"
echo "tcpdump -r FILE (text, ref.):     wall ${text_wall} ms, cpu ${text_cpu} ms"
echo "milter-replay --pcap FILE --dump:  wall ${dump_wall} (${dump_median}) ms, cpu ${dump_cpu} ms"
awk -v d="$dump_wall" -v t="$tcpdump_wall" -v dm="$dump_median" -v tm="$tcpdump_median" -v dc="$dump_cpu" \
    -v tc="$tcpdump_cpu" -v xc="$text_cpu" 'BEGIN {
    printf "ratio dump / tcpdump -w: wall %.2f (median %.2f), cpu %.2f\n", d / (t > 0 ? t : 1), dm / (tm > 0 ? tm : 1),
        dc / (tc > 0 ? tc : 1)
    printf "ratio dump / tcpdump text: cpu %.2f\n", dc / (xc > 0 ? xc : 1)
}'
