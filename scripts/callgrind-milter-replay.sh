#!/bin/bash
# Instructions per message of `milter-replay --target` as a load generator, counted with callgrind (valgrind),
# beside the C load client's (interop/loadclient, the yardstick of scripts/load-vs-c-client.sh) on the same
# message: exact counts that the machine's load does not change, for comparing two builds on a shared, noisy
# machine (docs/performance.md, "Instructions per message of milter-replay (session 31)").
#
#   scripts/callgrind-milter-replay.sh [BINARY] [OUTDIR]
#
# BINARY defaults to .build/release/milter-replay (build it with `swift build -c release --product
# milter-replay`); OUTDIR to a new temporary directory. The milter is interop/nullmilter --nr (built here with cc,
# not under valgrind). Each client runs twice under callgrind, one connection at a time with PER_CONNECTION
# messages per connection (default 5), first N1 messages (default 1000), then N2 (default 5000), all of them the
# message of scripts/load-vs-c-client.sh (10 headers, a 4 KB body; the C client reads it with -f, so it sends
# exactly what milter-replay sends). (instructions(N2) - instructions(N1)) / (N2 - N1) is then the cost of one
# message with the start-up and the end of the process cancelled out. Prints both clients' figures and their
# ratio, and writes OUTDIR/incl.txt (milter-replay's inclusive counts per function in the N2 run, demangled) and
# OUTDIR/tree.txt (each function's callees); OUTDIR/c-incl.txt is the C client's.
# Needs valgrind (Debian `valgrind`); SWIFT_DETERMINISTIC_HASHING=1 is set so that two runs of one build agree.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-$root/.build/release/milter-replay}
out=${2:-$(mktemp -d)}
per_connection=${PER_CONNECTION:-5}
n1=${N1:-1000}
n2=${N2:-5000}
source "$root/scripts/lib/ports.sh"
command -v valgrind > /dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
[ -x "$binary" ] || { echo "$binary: not an executable; build it first" >&2; exit 2; }
[ "$n2" -gt "$n1" ] || { echo "N2 ($n2) must be larger than N1 ($n1)" >&2; exit 2; }
demangle=$(command -v swift-demangle || echo cat)
mkdir -p "$out"
cc -O2 -Wall -o "$out/loadclient" "$root/interop/loadclient/loadclient.c" -lpthread
cc -O2 -Wall -o "$out/nullmilter" "$root/interop/nullmilter/nullmilter.c"
# valgrind cannot read the DWARF of Swift's release builds; the symbol table is enough for function names.
strip --strip-debug -o "$out/milter-replay" "$binary"
{
    printf 'From: sender@example.com\r\nTo: rcpt@example.org\r\nSubject: load\r\nDate: Sat, 28 Nov 2026 00:00:00 +0000\r\n'
    printf 'Message-ID: <load@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\nX-Mailer: load\r\n'
    printf 'X-Load-Index: 1\r\nReceived-SPF: none\r\n\r\n'
    for _ in $(seq 55); do printf '%072d\r\n' 0; done
} > "$out/load.eml"
port=$(free_port)
"$out/nullmilter" --nr "$port" > "$out/nullmilter.log" 2>&1 &
milter=$!
trap 'kill $milter 2> /dev/null || true' EXIT
wait_port "$port" || { echo "the null milter did not start: $out/nullmilter.log" >&2; exit 1; }

# counted NAME MESSAGES COMMAND...: runs COMMAND under callgrind into OUTDIR/NAME-MESSAGES.cg, prints its total.
counted() {
    local file="$out/$1-$2.cg"
    shift 2
    SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --callgrind-out-file="$file" "$@" \
        > "$file.stdout" 2> "$file.log" || { echo "failed under valgrind: $*; see $file.log" >&2; exit 1; }
    awk '/^(summary|totals):/ { print $2; exit }' "$file"
}
replay() {
    counted replay "$1" "$out/milter-replay" --target "127.0.0.1:$port" --connections 1 \
        --messages-per-connection "$per_connection" --repeat "$1" --quiet \
        --from sender@example.com --rcpt rcpt@example.org "$out/load.eml"
}
cclient() { counted c "$1" "$out/loadclient" -c 1 -m "$per_connection" -n "$1" -f "$out/load.eml" 127.0.0.1 "$port"; }

replay_1=$(replay "$n1")
replay_2=$(replay "$n2")
c_1=$(cclient "$n1")
c_2=$(cclient "$n2")
grep -q "^throughput: .* messages" "$out/replay-$n2.cg.stdout" \
    || { echo "milter-replay printed no throughput: $out/replay-$n2.cg.stdout" >&2; exit 1; }
callgrind_annotate --inclusive=yes "$out/replay-$n2.cg" 2> /dev/null | "$demangle" --simplified > "$out/incl.txt"
callgrind_annotate --inclusive=yes --tree=calling "$out/replay-$n2.cg" 2> /dev/null \
    | "$demangle" --simplified > "$out/tree.txt"
callgrind_annotate --inclusive=yes "$out/c-$n2.cg" 2> /dev/null > "$out/c-incl.txt"
awk -v r1="$replay_1" -v r2="$replay_2" -v c1="$c_1" -v c2="$c_2" -v n1="$n1" -v n2="$n2" \
    -v p="$per_connection" -v out="$out" 'BEGIN {
    r = (r2 - r1) / (n2 - n1); c = (c2 - c1) / (n2 - n1)
    printf "instructions per message (%d - %d messages, %d per connection):\n", n2, n1, p
    printf "  milter-replay %.0f (%d, %d in all)\n", r, r1, r2
    printf "  C client      %.0f (%d, %d in all)\n", c, c1, c2
    printf "  ratio         %.2f\n", r / c
    printf "(%s/incl.txt, %s/tree.txt)\n", out, out }'
