#!/usr/bin/env bash
# Compares the time of `--dump` on a ~100 MB capture with `tcpdump -r FILE -w /dev/null` on the same file.
#   scripts/pcap-dump-vs-tcpdump.sh [MEGABYTES]      (default 100)
# The capture is generated (Postfix-like sessions, pcap, Ethernet). The dump runs `milter-replay --pcap FILE
# --dump` when a release build of the CLI (or $MILTER_REPLAY) has it, otherwise the pcap-dump stand-in of
# scripts/pcap-dump-bench, which makes the same library call (CaptureDump.run). Each command runs three
# times; the best wall-clock and CPU times count. On a shared machine trust the CPU ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
megabytes=${1:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd scripts/pcap-dump-bench && swift build -c release >&2)
bench=scripts/pcap-dump-bench/.build/release
"$bench/pcap-generate" "$work/capture.pcap" "$megabytes"

dump=("$bench/pcap-dump" "$work/capture.pcap")
cli=${MILTER_REPLAY:-.build/release/milter-replay}
if [ -x "$cli" ] && "$cli" --help 2>&1 | grep -q -- '--pcap'; then
    dump=("$cli" --pcap "$work/capture.pcap" --dump)
fi

# best COMMAND...: the lowest wall-clock and CPU (user + system) milliseconds of three runs, "WALL CPU".
best() {
    local best_wall="" best_cpu=""
    for _ in 1 2 3; do
        local report wall cpu
        /usr/bin/time -o "$work/time" -f "%e %U %S" "$@" >/dev/null 2>&1
        report=$(tail -1 "$work/time")
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
echo "${dump[*]##*/}: wall ${dump_wall} ms, cpu ${dump_cpu} ms"
awk -v d="$dump_wall" -v t="$tcpdump_wall" -v dc="$dump_cpu" -v tc="$tcpdump_cpu" -v xc="$text_cpu" 'BEGIN {
    printf "ratio dump / tcpdump -w: wall %.1f, cpu %.1f\n", d / (t > 0 ? t : 1), dc / (tc > 0 ? tc : 1)
    printf "ratio dump / tcpdump text: cpu %.2f\n", dc / (xc > 0 ? xc : 1)
}'
