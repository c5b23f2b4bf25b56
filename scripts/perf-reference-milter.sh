#!/usr/bin/env bash
# Performance of `reference-milter daemon` (release build, built-in rules) against
#   null-nr    interop/nullmilter --nr: one epoll thread that only frames and answers, with the
#              no-reply flag of every stage (the cheapest milter on the same wire), and
#   libmilter  interop/cmilter --subject: libmilter with the same decisions as the built-in rules
#              (every accepted message gets `X-Reference-Milter: checked`),
# all three driven by the C load client (interop/loadclient: a thread per connection, blocking
# sockets, TCP_NODELAY; 5 messages per connection, each with one RCPT, 10 headers and a 4 KB body)
# at 1, 16, 64 and 256 connections, then the RSS of each with 1,000 idle, negotiated connections.
#
#   scripts/perf-reference-milter.sh
#
# Each concurrency runs ROUNDS rounds (default 5). A round runs every milter once, rotating which
# goes first, so that noise from other processes on a shared machine hits each. Per run it prints
# the rate, the p50 latency and the CPU per message of the milter process (utime + stime from
# /proc/PID/stat before and after the run, divided by the messages). At the end it prints a
# Markdown table of medians with the range of the ratios.
#
# Environment: ROUNDS; CONCURRENCY (default "1 16 64 256"); MESSAGES_1 and MESSAGES (messages per
# run of reference-milter and null-nr at 1 and at more connections; defaults 3000 and 20000);
# LIBMILTER_MESSAGES_1 and LIBMILTER_MESSAGES (the same for libmilter, which is much slower;
# defaults 200 and 4000); LIBMILTER=0 leaves libmilter out; PER_CONNECTION (default 5);
# REFERENCE_ARGS (daemon options; default "--threads $(nproc)"); REFERENCE_BIN (a reference-milter
# binary to measure instead of building this tree's); MESSAGE_FILES (a space-separated list of .eml
# files: the C client sends those in turn, `loadclient -f`, instead of the generated message; see
# scripts/load-vs-c-client.sh for a set of real messages). Needs cc and libmilter-dev
# (.ci/install-peers). The machine may be shared: compare the ratios, not the absolute figures.
#
# NIO_NULL=1 adds a fourth milter, nio-null (interop/nionullmilter --nr, its own Swift package): the
# null NR milter's behaviour on SwiftNIO, one event loop by default (NIO_NULL_ARGS, e.g.
# "--event-loops 2"), with nothing but a handler that cuts frames and writes prebuilt replies. It is
# the floor of any milter on SwiftNIO, as reference-milter is; the table then gains its rate, CPU per
# message, and the ratios nio-null / null NR and reference / nio-null.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-5}
per_connection=${PER_CONNECTION:-5}
with_libmilter=${LIBMILTER:-1}
with_nio_null=${NIO_NULL:-0}
ticks_per_second=$(getconf CLK_TCK)
work=$(mktemp -d /tmp/perf-reference-milter.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cd "$root"
if [ -n "${REFERENCE_BIN:-}" ]; then
    reference_bin=$REFERENCE_BIN
else
    swift build -c release --product reference-milter >/dev/null
    reference_bin="$(swift build -c release --show-bin-path)/reference-milter"
fi
cc -O2 -Wall -o "$work/cmilter" interop/cmilter/cmilter.c -lmilter -lpthread
cc -O2 -Wall -o "$work/nullmilter" interop/nullmilter/nullmilter.c
cc -O2 -Wall -o "$work/loadclient" interop/loadclient/loadclient.c -lpthread
if [ "$with_nio_null" != 0 ]; then
    swift build -c release --package-path interop/nionullmilter >/dev/null
    nio_null_bin="$(swift build -c release --package-path interop/nionullmilter --show-bin-path)/nionullmilter"
fi

# shellcheck source=lib/ports.sh
. "$root/scripts/lib/ports.sh"

milters=(reference null-nr)
[ "$with_libmilter" = 0 ] || milters+=(libmilter)
[ "$with_nio_null" = 0 ] || milters+=(nio-null)
declare -A port pid
for milter in "${milters[@]}"; do
    port[$milter]=$(free_port)
    case $milter in
    reference)
        # shellcheck disable=SC2086
        "$reference_bin" daemon "127.0.0.1:${port[$milter]}" ${REFERENCE_ARGS:---threads $(nproc)} \
            --log-level warning --max-connections 2000 2>"$work/reference.log" &
        ;;
    null-nr) "$work/nullmilter" --nr "${port[$milter]}" >"$work/null-nr.log" 2>&1 & ;;
    libmilter) "$work/cmilter" --subject "inet:${port[$milter]}@127.0.0.1" >"$work/libmilter.log" 2>&1 & ;;
    # shellcheck disable=SC2086
    nio-null) "$nio_null_bin" --nr ${NIO_NULL_ARGS:-} "${port[$milter]}" >"$work/nio-null.log" 2>&1 & ;;
    esac
    pid[$milter]=$!
    pids+=("${pid[$milter]}")
done
for milter in "${milters[@]}"; do wait_port "${port[$milter]}"; done

# CPU time of a process so far, in clock ticks (utime + stime: fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# run MILTER CONNECTIONS: one load run; appends "milter connections rate p50_ms cpu_us_per_message"
# to $work/results and prints it.
run() {
    local milter=$1 connections=$2 total before after out
    case $milter:$connections in
    libmilter:1) total=${LIBMILTER_MESSAGES_1:-200} ;;
    libmilter:*) total=${LIBMILTER_MESSAGES:-4000} ;;
    *:1) total=${MESSAGES_1:-3000} ;;
    *) total=${MESSAGES:-20000} ;;
    esac
    local files=()
    # shellcheck disable=SC2206
    [ -z "${MESSAGE_FILES:-}" ] || for file in ${MESSAGE_FILES}; do files+=(-f "$file"); done
    before=$(cpu_ticks "${pid[$milter]}")
    if ! out=$("$work/loadclient" -c "$connections" -m "$per_connection" -n "$total" "${files[@]}" 127.0.0.1 \
        "${port[$milter]}"); then
        echo "perf: the load client failed against $milter: $out" >&2
        exit 1
    fi
    after=$(cpu_ticks "${pid[$milter]}")
    echo "$out" | awk -v m="$milter" -v c="$connections" -v t="$((after - before))" -v hz="$ticks_per_second" '{
        for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] + 0 }
        printf "%s %d %.0f %.3f %.1f\n", m, c, v["rate"], v["p50"], t / hz * 1e6 / v["messages"] }' |
        tee -a "$work/results"
}

: >"$work/results"
for connections in ${CONCURRENCY:-1 16 64 256}; do
    echo "== $connections connections (milter connections msg/s p50_ms cpu_us_per_msg)"
    for round in $(seq "$rounds"); do
        count=${#milters[@]}
        for i in $(seq 0 $((count - 1))); do run "${milters[$(((i + round) % count))]}" "$connections"; done
    done
done


echo
echo "Medians of $rounds rounds; ratios per round, median (lowest–highest); CPU in µs per message."
echo
header="| connections | reference-milter msg/s | null NR msg/s | reference / null NR | reference CPU/msg | null NR CPU/msg |"
rule="|---:|---:|---:|---:|---:|---:|"
if [ "$with_libmilter" != 0 ]; then
    header+=" libmilter msg/s | reference / libmilter | libmilter CPU/msg |"
    rule+="---:|---:|---:|"
fi
if [ "$with_nio_null" != 0 ]; then
    header+=" nio-null msg/s | nio-null / null NR | reference / nio-null | nio-null CPU/msg |"
    rule+="---:|---:|---:|---:|"
fi
echo "$header"
echo "$rule"
for connections in ${CONCURRENCY:-1 16 64 256}; do
    awk -v c="$connections" -v lib="$with_libmilter" -v nio="$with_nio_null" '
        function median(a, n,    i, j, t) {
            for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        function lowest(a, n,    i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]; return m }
        function highest(a, n,    i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]; return m }
        $2 == c { k = $1; n[k]++; rate[k, n[k]] = $3; cpu[k, n[k]] = $5 }
        END {
            for (k in n) {
                for (i = 1; i <= n[k]; i++) { r[i] = rate[k, i]; u[i] = cpu[k, i] }
                mr[k] = median(r, n[k]); mu[k] = median(u, n[k])
            }
            # Ratios pair the runs of one round.
            for (i = 1; i <= n["reference"]; i++) q[i] = rate["reference", i] / rate["null-nr", i]
            line = sprintf("| %d | %.0f | %.0f | %.2f× (%.2f–%.2f) | %.1f µs | %.1f µs |", c, mr["reference"],
                mr["null-nr"], median(q, n["reference"]), lowest(q, n["reference"]), highest(q, n["reference"]),
                mu["reference"], mu["null-nr"])
            if (lib != 0) {
                for (i = 1; i <= n["reference"]; i++) q[i] = rate["reference", i] / rate["libmilter", i]
                line = line sprintf(" %.0f | %.2f× (%.2f–%.2f) | %.1f µs |", mr["libmilter"], median(q, n["reference"]),
                    lowest(q, n["reference"]), highest(q, n["reference"]), mu["libmilter"])
            }
            if (nio != 0) {
                for (i = 1; i <= n["reference"]; i++) q[i] = rate["nio-null", i] / rate["null-nr", i]
                line = line sprintf(" %.0f | %.2f× (%.2f–%.2f) |", mr["nio-null"], median(q, n["reference"]),
                    lowest(q, n["reference"]), highest(q, n["reference"]))
                for (i = 1; i <= n["reference"]; i++) q[i] = rate["reference", i] / rate["nio-null", i]
                line = line sprintf(" %.2f× (%.2f–%.2f) | %.1f µs |", median(q, n["reference"]),
                    lowest(q, n["reference"]), highest(q, n["reference"]), mu["nio-null"])
            }
            print line
        }' "$work/results"
done

# RSS in MB of a process while 1,000 negotiated connections sit idle on it.
idle_rss() {
    /usr/bin/python3 - "$1" "$2" <<'PY'
import socket, struct, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
offer = struct.pack(">IBIII", 13, ord("O"), 6, 0x1FF, 0x1FFFFF)
conns = []
for _ in range(1000):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.sendall(offer)
    conns.append(s)
for s in conns:
    length = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
    s.recv(length, socket.MSG_WAITALL)
time.sleep(1)
with open("/proc/%s/status" % pid) as f:
    rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
print("%.1f" % (rss / 1024))
for s in conns:
    s.close()
PY
}

echo
line="RSS with 1,000 idle negotiated connections:"
for milter in "${milters[@]}"; do line+=" $milter $(idle_rss "${port[$milter]}" "${pid[$milter]}") MB"; done
echo "$line"
