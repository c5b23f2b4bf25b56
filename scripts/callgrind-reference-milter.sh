#!/bin/bash
# Instructions per message of `reference-milter daemon`, counted with callgrind (valgrind): exact counts that the
# machine's load does not change, for comparing two builds on a shared, noisy machine (docs/performance.md,
# "Instructions per message (session 29)").
#
#   scripts/callgrind-reference-milter.sh [BINARY] [OUTDIR]
#
# BINARY defaults to .build/release/reference-milter (build it with `swift build -c release --product
# reference-milter`); OUTDIR to a new temporary directory. The daemon runs with `--threads 1 --event-loops 1` and
# its built-in rules; the C load client (interop/loadclient, built here) sends PER_CONNECTION messages per
# connection (default 100; 1 counts a connection with its message), 200 warm-up messages, then the counters are
# zeroed and COUNT messages (default 2000) are counted. Prints the instructions per message and writes
# OUTDIR/incl.txt (inclusive counts per function, demangled) and OUTDIR/tree.txt (each function's callees).
# Needs valgrind (Debian `valgrind`); SWIFT_DETERMINISTIC_HASHING=1 is set so that two runs of one build agree.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-$root/.build/release/reference-milter}
out=${2:-$(mktemp -d)}
per_connection=${PER_CONNECTION:-100}
count=${COUNT:-2000}
source "$root/scripts/lib/ports.sh"
command -v valgrind > /dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
[ -x "$binary" ] || { echo "$binary: not an executable; build it first" >&2; exit 2; }
demangle=$(command -v swift-demangle || echo cat)
mkdir -p "$out"
cc -O2 -Wall -o "$out/loadclient" "$root/interop/loadclient/loadclient.c" -lpthread
# valgrind cannot read the DWARF of Swift's release builds; the symbol table is enough for function names.
strip --strip-debug -o "$out/daemon" "$binary"
port=$(free_port)
SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
    "$out/daemon" daemon "127.0.0.1:$port" --threads 1 --event-loops 1 > "$out/valgrind.log" 2>&1 &
daemon=$!
trap 'kill $daemon 2> /dev/null || true' EXIT
for _ in $(seq 1 120); do
    grep -q listening "$out/valgrind.log" && break
    sleep 1
done
grep -q listening "$out/valgrind.log" || { echo "the daemon did not start under valgrind: $out/valgrind.log" >&2; exit 1; }
"$out/loadclient" -c 1 -m "$per_connection" -n 200 127.0.0.1 "$port" > /dev/null
callgrind_control --zero "$daemon" > /dev/null 2>&1
"$out/loadclient" -c 1 -m "$per_connection" -n "$count" 127.0.0.1 "$port" > /dev/null
callgrind_control --dump "$daemon" > /dev/null 2>&1
kill "$daemon"
wait "$daemon" 2> /dev/null || true
dump=$(ls "$out"/callgrind.out.* | head -1)
callgrind_annotate --inclusive=yes "$dump" 2> /dev/null | "$demangle" --simplified > "$out/incl.txt"
callgrind_annotate --inclusive=yes --tree=calling "$dump" 2> /dev/null | "$demangle" --simplified > "$out/tree.txt"
total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }' "$out/incl.txt")
echo "instructions per message: $((total / count)) (${per_connection} per connection; $out/incl.txt, $out/tree.txt)"
