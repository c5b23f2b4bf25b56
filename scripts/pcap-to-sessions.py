#!/usr/bin/env python3
"""Writes the MTA side of every milter session in a capture to a session file for the C load client
(interop/loadclient, `-w FILE`), so it can replay real traffic as `milter-replay --pcap` does.

    scripts/pcap-to-sessions.py CAPTURE.pcap SESSIONS.mtas

Input: tcpdump's classic pcap (microsecond or nanosecond, either byte order), link type EN10MB
(tcpdump -i lo), TCP over IPv4; other frames are skipped. Each TCP connection whose SYN is in the
capture is reassembled from its opener's side (the MTA) by sequence number; it is a milter session
if that side starts with an OPTNEG frame. A new SYN on addresses and ports already seen starts a new
connection when the earlier one has ended (an RST, or a FIN each way) or the SYN carries another initial
sequence number, as MilterCapture's TCPReassembler does; a retransmitted SYN does not. Sessions are written in the order their connections' last
packets were captured: the order in which `milter-replay --pcap` replays them (as each one ends).
A cut frame (snap length), a gap in the MTA's stream or a stream that ends inside a frame is an error.

Output: the 8 bytes "MTASESS1", then per session a 4-byte big-endian length and that many bytes: the
MTA's side of the stream exactly as sent, whole milter frames (4-byte length, command, payload),
OPTNEG first.
"""
import struct
import sys

MAX_PAYLOAD = 512 * 1024 * 1024  # all MTA-side bytes held at once; refused before buffering more
MAX_FRAME = 64 * 1024 * 1024     # a larger frame length is not milter traffic
MAGIC = b"MTASESS1"


def fail(message):
    print(f"pcap-to-sessions: {message}", file=sys.stderr)
    sys.exit(2)


def packets(f):
    """Yields (index, frame bytes) of a classic pcap file."""
    header = f.read(24)
    if len(header) < 24:
        fail("not a pcap file (shorter than its 24-byte header)")
    magic = header[:4]
    orders = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}
    if magic not in orders:
        fail("not a classic pcap file (pcapng? convert it with `editcap -F pcap`)")
    order = orders[magic]
    snaplen, linktype = struct.unpack(order + "II", header[16:24])
    if linktype & 0xFFFF != 1:
        fail(f"link type {linktype & 0xFFFF}, not EN10MB (1): capture with `tcpdump -i lo`")
    index = 0
    while True:
        record = f.read(16)
        if not record:
            return
        if len(record) < 16:
            fail(f"truncated record header after packet {index}")
        caplen, length = struct.unpack(order + "II", record[8:16])
        if caplen > max(snaplen, 262144) or caplen > length:
            fail(f"packet {index + 1}: captured length {caplen} out of range")
        data = f.read(caplen)
        if len(data) < caplen:
            fail(f"packet {index + 1}: truncated (file ends inside it)")
        index += 1
        if caplen < length:
            fail(f"packet {index}: cut at {caplen} of {length} bytes (snap length): record with -s 0")
        yield index, data


def tcp_segment(frame):
    """(key, seq, flags, payload) of an Ethernet/IPv4/TCP frame; None for other TCP/IP, "other" else."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return "other"
    ip = frame[14:]
    ihl, total = (ip[0] & 0x0F) * 4, struct.unpack(">H", ip[2:4])[0]
    if ip[0] >> 4 != 4 or ip[9] != 6 or ihl < 20 or total > len(ip) or total < ihl + 20:
        return None
    if struct.unpack(">H", ip[6:8])[0] & 0x3FFF:
        fail("an IPv4 fragment: not supported")
    tcp = ip[ihl:total]
    sport, dport, seq = struct.unpack(">HHI", tcp[:8])
    offset = (tcp[12] >> 4) * 4
    if offset < 20 or offset > len(tcp):
        return None
    key = (bytes(ip[12:16]), sport, bytes(ip[16:20]), dport)
    return key, seq, tcp[13], bytes(tcp[offset:])


def name(key):
    return f"{'.'.join(map(str, key[0]))}:{key[1]} -> {'.'.join(map(str, key[2]))}:{key[3]}"


class Stream:
    """The opener's side of one TCP connection: its bytes by offset, and how far it has got."""

    def __init__(self, isn, index):
        self.isn, self.segments, self.last = isn, {}, index
        self.fins, self.reset = set(), False  # the keys (directions) that sent a FIN; an RST either way

    def ended(self):
        return self.reset or len(self.fins) == 2

    def replaced_by(self, syn_seq):
        """Whether a SYN with this sequence number opens a new connection on the same addresses and ports."""
        return self.ended() or (syn_seq + 1) & 0xFFFFFFFF != self.isn


def read_streams(path):
    """The opener's side of every TCP connection with a SYN, in the order the connections end, as bytes."""
    streams, ended, held, other = {}, [], 0, 0  # opener key -> Stream; streams split off by a new SYN
    no_syn = set()
    with open(path, "rb") as f:
        for index, frame in packets(f):
            segment = tcp_segment(frame)
            if segment is None or segment == "other":
                other += segment == "other"
                continue
            key, seq, flags, payload = segment
            reverse = (key[2], key[3], key[0], key[1])
            if flags & 0x02 and not flags & 0x10:  # SYN without ACK: the opener
                if key in streams and streams[key].replaced_by(seq):
                    ended.append((key, streams.pop(key)))
                streams.setdefault(key, Stream((seq + 1) & 0xFFFFFFFF, index))
            for opener in (key, reverse):
                if opener in streams:
                    streams[opener].last = index
                    streams[opener].reset |= bool(flags & 0x04)
                    if flags & 0x01:
                        streams[opener].fins.add(key)
            if key in streams and payload and not flags & 0x02:
                if held + len(payload) > MAX_PAYLOAD:
                    fail(f"more than {MAX_PAYLOAD} bytes of MTA traffic: split the capture (editcap -c)")
                stream = streams[key]
                offset = (seq - stream.isn) & 0xFFFFFFFF
                if len(payload) > len(stream.segments.get(offset, b"")):  # a retransmission may carry more
                    stream.segments[offset] = payload
                    held += len(payload)
            elif payload and key not in streams and reverse not in streams:
                no_syn.add(key)
    if other:
        print(f"pcap-to-sessions: skipped {other} frames that are not IPv4 (IPv6 is not read)", file=sys.stderr)
    for key in sorted(no_syn):
        print(f"pcap-to-sessions: skipped {name(key)}: its SYN is not in the capture", file=sys.stderr)
    for key, stream in sorted(ended + list(streams.items()), key=lambda item: item[1].last):
        data = bytearray()
        for offset in sorted(stream.segments):
            payload = stream.segments[offset]
            if offset > len(data):
                fail(f"{name(key)}: {offset - len(data)} bytes missing at offset {len(data)}")
            data += payload[len(data) - offset:]
        yield key, bytes(data)


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    try:
        convert(sys.argv[1], sys.argv[2])
    except OSError as error:
        fail(f"{error.filename}: {error.strerror}")


def convert(capture, output):
    sessions, other, messages = [], 0, 0
    for key, data in read_streams(capture):
        if data[:5] != b"\x00\x00\x00\x0dO":
            other += 1
            continue
        at = 0
        while at < len(data):
            if len(data) - at < 5:
                fail(f"{name(key)}: the stream ends inside a frame header at offset {at}")
            length = struct.unpack(">I", data[at:at + 4])[0]
            if length == 0 or length > MAX_FRAME:
                fail(f"{name(key)}: frame length {length} at offset {at} out of range")
            if at + 4 + length > len(data):
                fail(f"{name(key)}: the stream ends inside a frame at offset {at}")
            messages += data[at + 4] == ord("M")
            at += 4 + length
        sessions.append(data)
    if not sessions:
        fail("no milter session (no TCP stream whose opener starts with OPTNEG)")
    with open(output, "wb") as out:
        out.write(MAGIC)
        for data in sessions:
            out.write(struct.pack(">I", len(data)) + data)
    note = f" ({other} other streams skipped)" if other else ""
    print(f"pcap-to-sessions: {len(sessions)} sessions, {messages} messages, {sum(map(len, sessions))} bytes{note}")


if __name__ == "__main__":
    main()
