#!/usr/bin/env bash
# Per-message counts of a reference-milter daemon: calls of libc's malloc, clock_gettime and memmove,
# of the Swift runtime's swift_retain, swift_release and swift_beginAccess (dynamic exclusivity
# checks), and the read and write system calls, while the C load client (interop/loadclient) sends
# MESSAGES messages (default 10,000) at CONNECTIONS connections (default 16), 5 per connection.
#
#   scripts/count-per-message.sh [REFERENCE_BIN...]     (default: this tree's release build)
#
# Counts, unlike timings, do not move with the other jobs on a shared machine: a change of a few per
# cent in what a message costs shows here when alternating timed runs cannot see it (docs/performance.md,
# "Copies, clock reads and reads per message"). Each binary runs as `daemon --threads 1 --event-loops 1`
# on CPU 0, the client on CPU 1; a first run of 2,000 messages warms it up and is not counted.
# Needs root, perf (Debian linux-perf) with uprobes, cc; the uprobes are added if missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
messages=${MESSAGES:-10000}
connections=${CONNECTIONS:-16}
for value in "$messages" "$connections"; do
    [[ "$value" =~ ^[1-9][0-9]{0,8}$ ]] || { echo "count: MESSAGES and CONNECTIONS must be whole numbers from 1, not '$value'" >&2; exit 2; }
done
work=$(mktemp -d /tmp/count-per-message.XXXXXX)
daemon=""
cleanup() {
    [ -z "$daemon" ] || kill "$daemon" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cd "$root"
binaries=("$@")
columns=()
for bin in "${binaries[@]}"; do [ -x "$bin" ] || { echo "count: $bin is not an executable file" >&2; exit 2; }; done
if [ ${#binaries[@]} = 0 ]; then
    swift build -c release --product reference-milter >/dev/null
    binaries=("$(swift build -c release --show-bin-path)/reference-milter")
fi
cc -O2 -Wall -o "$work/loadclient" interop/loadclient/loadclient.c -lpthread
command -v perf >/dev/null || { echo "count: perf is missing (apt-get install linux-perf)" >&2; exit 1; }

libc=$(ldconfig -p | awk '/libc\.so\.6 .*x86-64/ { print $NF; exit }')
swift_core=$(ldd "${binaries[0]}" | awk '/libswiftCore\.so/ { print $3 }')
probe() { # LIBRARY FUNCTION: the uprobe's event name, added if missing
    local group=probe_$(basename "$1" | sed 's/\.so.*//; s/[^A-Za-z0-9_]/_/g')
    perf probe -l 2>/dev/null | grep -q "^ *$group:$2 " || perf probe -q -x "$1" "$2" >/dev/null
    echo "$group:$2"
}
events=(
    "$(probe "$libc" malloc)" "$(probe "$libc" clock_gettime)" "$(probe "$libc" __memmove_avx512_unaligned_erms)"
    "$(probe "$swift_core" swift_retain)" "$(probe "$swift_core" swift_release)"
    "$(probe "$swift_core" swift_beginAccess)" syscalls:sys_enter_read syscalls:sys_enter_write
)

# shellcheck source=lib/ports.sh
. "$root/scripts/lib/ports.sh"
load() { taskset -c 1 "$work/loadclient" -c "$connections" -m 5 -n "$1" 127.0.0.1 "$2" >/dev/null; }

printf '| per message |'
for bin in "${binaries[@]}"; do printf ' %s |' "$bin"; done
printf '\n|---|'
for _ in "${binaries[@]}"; do printf -- '---:|'; done
printf '\n'
for bin in "${binaries[@]}"; do
    port=$(free_port)
    taskset -c 0 "$bin" daemon "127.0.0.1:$port" --threads 1 --event-loops 1 --log-level warning \
        --max-connections 2000 2>"$work/daemon.log" &
    daemon=$!
    wait_port "$port"
    load 2000 "$port"
    perf stat -x, -e "$(IFS=,; echo "${events[*]}")" -p "$daemon" -o "$work/$port.csv" &
    stat=$!
    sleep 0.5
    load "$messages" "$port"
    kill -INT "$stat"
    wait "$stat" 2>/dev/null || true
    kill "$daemon"
    wait "$daemon" 2>/dev/null || true
    daemon=""
    awk -F, -v n="$messages" '$1 ~ /^[0-9]+$/ { printf "%s %.2f\n", $3, $1 / n }' "$work/$port.csv" >"$work/$port.counts"
    columns+=("$work/$port.counts")
done
for event in "${events[@]}"; do
    printf '| `%s` |' "${event#*:}"
    for file in "${columns[@]}"; do printf ' %s |' "$(awk -v e="$event" '$1 == e { print $2 }' "$file")"; done
    printf '\n'
done
