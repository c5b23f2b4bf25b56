#!/usr/bin/env bash
# Records small real captures of milter-shaped TCP traffic on loopback with tcpdump and tshark, in the
# capture forms MilterCapture reads: fixtures/pcap/synthetic-*. Root, Debian 12 with .ci/install-peers.
# Re-running overwrites the files; regenerate the expectations afterwards with
#   UPDATE_TRANSCRIPTS=1 swift test --filter FixtureTranscriptTests   (and review the diff).
set -euo pipefail
cd "$(dirname "$0")/.."
out=fixtures/pcap
traffic=scripts/milter-shaped-traffic.py

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# record FILE HOST CAPTURE-COMMAND...: runs the capture filtered on two fresh ports, then the traffic.
record() {
    local file=$1 host=$2
    shift 2
    local port other
    port=$(free_port)
    other=$(free_port)
    local filter="tcp port $port or tcp port $other"
    if [ "$1" = tshark ]; then
        "$@" -w "$out/$file" -f "$filter" >/dev/null 2>&1 &
    else
        "$@" -w "$out/$file" "$filter" >/dev/null 2>&1 &
    fi
    local capture=$!
    sleep 2
    python3 "$traffic" "$host" "$port" --other-port "$other"
    sleep 1
    kill -INT "$capture"
    wait "$capture" || true
    echo "recorded $out/$file"
}

record synthetic-lo-en10mb.pcap 127.0.0.1 tcpdump -i lo -U
record synthetic-lo-nanosecond.pcap 127.0.0.1 tcpdump -i lo -U --time-stamp-precision=nano
record synthetic-any-sll.pcap 127.0.0.1 tcpdump -i any -y LINUX_SLL -U
record synthetic-lo-ipv6.pcap ::1 tcpdump -i lo -U
record synthetic-snaplen80.pcap 127.0.0.1 tcpdump -i lo -U -s 80
record synthetic-lo.pcapng 127.0.0.1 tshark -q -i lo -F pcapng

# A capture that starts inside the session: the first 9 packets (handshake, OPTNEG, CONNECT) removed.
editcap -r "$out/synthetic-lo-en10mb.pcap" "$out/synthetic-midstream.pcap" 10-1000
echo "recorded $out/synthetic-midstream.pcap"
