#!/usr/bin/env bash
# Performance of the reference milter against a libmilter C milter with the same decision logic
# (interop/cmilter --subject mirrors RulesClassifier.default: every accepted message gets a header),
# both driven by milter-replay (release builds) at 1, 16, 64 and 256 connections, then the RSS of each
# with 1,000 idle, negotiated connections. Prints a Markdown table of ratios for the README.
#
#   scripts/perf-reference-milter.sh [SECONDS_PER_RUN]        (default: 10)
#
# Needs cc and libmilter-dev (.ci/install-peers). Runs everything on this machine in one go; the
# machine is shared, so compare the ratios, not the absolute figures.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-10}
work=$(mktemp -d /tmp/perf-reference-milter.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cd "$root"
swift build -c release --product milter-replay >/dev/null
swift build -c release --product reference-milter >/dev/null
bin=$(swift build -c release --show-bin-path)
cc -O2 -Wall -o "$work/cmilter" interop/cmilter/cmilter.c -lmilter -lpthread

mkdir -p "$work/corpus"
printf 'From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: performance\r\nMessage-ID: <perf@example.com>\r\n\r\n%s\r\n' \
    "$(head -c 3000 /dev/zero | tr '\0' 'x' | fold -w 76)" >"$work/corpus/perf.eml"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    for _ in $(seq 200); do
        python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "perf: nothing listens on $1" >&2
    return 1
}

swift_port=$(free_port)
"$bin/reference-milter" daemon "127.0.0.1:$swift_port" --threads "$(nproc)" --log-level warning \
    --max-connections 2000 2>"$work/reference-milter.log" &
swift_pid=$!
pids+=("$swift_pid")
c_port=$(free_port)
"$work/cmilter" --subject "inet:$c_port@127.0.0.1" >"$work/cmilter.log" 2>&1 &
c_pid=$!
pids+=("$c_pid")
wait_port "$swift_port"
wait_port "$c_port"

# One run: prints "messages_per_second p50_ms".
run() {
    "$bin/milter-replay" --target "127.0.0.1:$1" --connections "$2" --messages-per-connection 100 \
        --duration "$seconds" --json --quiet "$work/corpus" | tail -n 1 |
        python3 -c 'import json,sys; s=json.loads(sys.stdin.read()); print("%.0f %.3f" % (s["messagesPerSecond"], s["latencyMs"]["p50"]))'
}

# RSS in MB of a process while 1,000 negotiated connections sit idle on it.
idle_rss() {
    python3 - "$1" "$2" <<'PY'
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

echo "| connections | reference-milter msg/s | libmilter msg/s | ratio | reference-milter p50 | libmilter p50 |"
echo "|---|---|---|---|---|---|"
for connections in 1 16 64 256; do
    read -r swift_rate swift_p50 < <(run "$swift_port" "$connections")
    read -r c_rate c_p50 < <(run "$c_port" "$connections")
    ratio=$(python3 -c "print('%.2f' % ($swift_rate / max($c_rate, 1)))")
    echo "| $connections | $swift_rate | $c_rate | ${ratio}× | ${swift_p50} ms | ${c_p50} ms |"
done
echo
swift_rss=$(idle_rss "$swift_port" "$swift_pid")
c_rss=$(idle_rss "$c_port" "$c_pid")
echo "RSS with 1,000 idle negotiated connections: reference-milter ${swift_rss} MB, libmilter cmilter ${c_rss} MB"
