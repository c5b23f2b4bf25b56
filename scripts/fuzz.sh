#!/usr/bin/env bash
# Builds every libFuzzer target of Fuzz/ with -sanitize=fuzzer,address (one build) and runs each
# for SECONDS, one after the other; prints each target's executions and whether it crashed.
#   scripts/fuzz.sh SECONDS [TARGET...]     (default: every target)
# Seeds: fixtures/fuzz/<name>/; crashes land there as crash-* (Fuzz/run.sh's layout): turn each into
# a regression test before deleting it. Exits 1 if any target crashed.
set -euo pipefail
if [ $# -lt 1 ]; then
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
fi
seconds=$1
shift
cd "$(dirname "$0")/../Fuzz"
export PATH=/opt/swift/usr/bin:$PATH
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    # The executable targets: FuzzDriver, the shared library target, has no main.swift.
    mapfile -t targets < <(cd Sources && for dir in */; do [ -f "$dir/main.swift" ] && echo "${dir%/}"; done)
fi
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
failed=0
for target in "${targets[@]}"; do
    name=$(echo "${target%Fuzzer}" | tr '[:upper:]' '[:lower:]')
    seeds=../fixtures/fuzz/$name
    work=.build/corpus-$name
    mkdir -p "$work" "$seeds"
    log=.build/fuzz-$name.log
    status=0
    ".build/release/$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$seeds/crash-" "$work" "$seeds" >"$log" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    if [ "$status" -ne 0 ]; then
        failed=1
        echo "fuzz: $target: CRASH after $runs executions (exit $status); see Fuzz/$log" >&2
        grep -m 5 -E 'ERROR|Fatal error|Precondition|SUMMARY' "$log" >&2 || true
    else
        echo "fuzz: $target: $runs executions in ${seconds} s, no crash"
    fi
done
exit "$failed"
