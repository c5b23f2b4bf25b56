#!/usr/bin/env bash
# Instructions and mallocs per Postfix-shaped transaction, counted by callgrind (package-benchmark's
# `instructions` metric shows nothing on VMs without hardware counters).
#   Benchmarks/codec-callgrind.sh            # needs valgrind (apt-get install valgrind)
# Each mode runs 1 and 101 transactions; (count(101) - count(1)) / 100 excludes start-up.
set -euo pipefail
cd "$(dirname "$0")"
export PATH=/opt/swift/usr/bin:$PATH
swift build -c release --product codec-transaction >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Valgrind cannot read the DWARF of Swift binaries; a copy without debug info runs fine.
cp .build/release/codec-transaction "$work/codec-transaction"
strip -g "$work/codec-transaction"

count() { # mode runs -> "instructions mallocs"
    valgrind --tool=callgrind --callgrind-out-file="$work/out" "$work/codec-transaction" "$2" "$1" >/dev/null 2>&1
    local instructions mallocs
    instructions=$(callgrind_annotate "$work/out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    mallocs=$(callgrind_annotate --tree=caller "$work/out" 2>/dev/null | awk '
        / < / { if (match($0, /\([0-9,]+x\)/)) { n = substr($0, RSTART + 1, RLENGTH - 3); gsub(",", "", n); pending += n }; next }
        /\*  .*malloc\.c:malloc / { total = pending }
        { pending = 0 }
        END { print total + 0 }')
    echo "$instructions $mallocs"
}

printf '| %-16s | %14s | %12s |\n' "mode" "instructions" "mallocs"
printf '|:%s|%s:|%s:|\n' "-----------------" "---------------" "-------------"
for mode in both decode-commands encode-commands decode-replies encode-replies; do
    read -r i1 m1 < <(count "$mode" 1)
    read -r i101 m101 < <(count "$mode" 101)
    printf '| %-16s | %14d | %12.1f |\n' "$mode" $(((i101 - i1) / 100)) "$(echo "($m101 - $m1) / 100" | bc -l)"
done
