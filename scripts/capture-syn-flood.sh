#!/usr/bin/env bash
# Times `milter-replay --pcap FILE --dump` on captures of SMALL and LARGE SYNs, each SYN a new TCP flow
# (a new client address and port to 127.0.0.1:7044), and prints the ratio of the times. Flow tracking
# must take linear time: the ratio should be about LARGE / SMALL (10 with the defaults), not its square.
#   scripts/capture-syn-flood.sh [SMALL] [LARGE]      (defaults 100000 and 1000000)
# The captures are pcap, Ethernet, written by python3. The CLI is built in release mode ($MILTER_REPLAY
# overrides it). Each capture is dumped $ROUNDS times (default 3), in turn; the best wall-clock and CPU
# (user + system) times count. No stream carries data, so the dump finds no milter session: it still reads
# and tracks every flow, and prints one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
small=${1:-100000}
large=${2:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# syns COUNT FILE: COUNT SYNs from 10.x.y.z:PORT, each flow new.
syns() {
    python3 - "$1" "$2" <<'PY'
import struct, sys
count, path = int(sys.argv[1]), sys.argv[2]

def checksum(data):
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF

server = bytes([127, 0, 0, 1])
ethernet = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
with open(path, "wb") as out:
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for index in range(count):
        client = bytes([10, (index >> 24) & 0xFF | 0x40, (index >> 16) & 0xFF, (index >> 8) & 0xFF])
        port = 1024 + (index & 0xFF)
        header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, index & 0xFFFF, 0x4000, 64, 6, 0, client, server)
        ip = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
        tcp = struct.pack("!HHIIBBHHH", port, 7044, index, 0, 5 << 4, 0x02, 65535, 0, 0)
        pseudo = client + server + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        packet = ethernet + ip + tcp
        out.write(struct.pack("<IIII", 1_700_000_000 + index // 1_000_000, index % 1_000_000, len(packet),
                              len(packet)))
        out.write(packet)
PY
}

syns "$small" "$work/small.pcap"
syns "$large" "$work/large.pcap"
sync "$work/small.pcap" "$work/large.pcap"  # no writeback of the fresh files during the timed runs
cli=${MILTER_REPLAY:-.build/release/milter-replay}
if [ -z "${MILTER_REPLAY:-}" ]; then swift build -c release --product milter-replay >&2; fi

# shellcheck source=scripts/timed.sh
source scripts/timed.sh

rounds=${ROUNDS:-3}
declare -A wall cpu
for _ in $(seq "$rounds"); do
    for name in small large; do
        read -r w c <<<"$(timed "$cli" --pcap "$work/$name.pcap" --dump)"
        if [ -z "${wall[$name]:-}" ] || [ "$w" -lt "${wall[$name]}" ]; then wall[$name]=$w; fi
        if [ -z "${cpu[$name]:-}" ] || [ "$c" -lt "${cpu[$name]}" ]; then cpu[$name]=$c; fi
    done
done
echo "$small SYNs ($(stat -c %s "$work/small.pcap") bytes): wall ${wall[small]} ms, cpu ${cpu[small]} ms"
echo "$large SYNs ($(stat -c %s "$work/large.pcap") bytes): wall ${wall[large]} ms, cpu ${cpu[large]} ms"
awk -v n="$small" -v m="$large" -v ws="${wall[small]}" -v wl="${wall[large]}" -v cs="${cpu[small]}" \
    -v cl="${cpu[large]}" 'BEGIN {
    printf "ratio %d / %d SYNs: wall %.2f, cpu %.2f (linear: %.0f)\n", m, n, wl / (ws > 0 ? ws : 1),
        cl / (cs > 0 ? cs : 1), m / n
}'
