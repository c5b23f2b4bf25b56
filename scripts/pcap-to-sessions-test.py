#!/usr/bin/env python3
"""Checks scripts/pcap-to-sessions.py on small captures built here with struct; run by
Tests/MilterCaptureTests/PcapToSessionsScriptTests.swift, or by hand: python3 scripts/pcap-to-sessions-test.py"""
import importlib.util
import os
import struct
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("pcap_to_sessions", os.path.join(HERE, "pcap-to-sessions.py"))
script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(script)

CLIENT, SERVER = (b"\x7f\x00\x00\x01", 40000), (b"\x7f\x00\x00\x01", 10025)
SYN, ACK, FIN, RST = 0x02, 0x10, 0x01, 0x04


def frame(command, payload=b""):
    return struct.pack(">I", len(payload) + 1) + command + payload


OPTNEG = frame(b"O", struct.pack(">III", 6, 0x1FF, 0x1FFFFF))


def packet(source, destination, seq, flags, payload=b""):
    """An Ethernet/IPv4/TCP frame (checksums left at zero: the script does not check them)."""
    tcp = struct.pack(">HHIIBBHHH", source[1], destination[1], seq, 0, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, source[0], destination[0]) + tcp
    return b"\x00" * 12 + b"\x08\x00" + ip


def connection(isn, stream, close):
    """The packets of one connection from CLIENT to SERVER carrying `stream`, ended by `close` (FIN or RST)."""
    packets = [packet(CLIENT, SERVER, isn, SYN), packet(SERVER, CLIENT, 7000, SYN | ACK)]
    packets.append(packet(CLIENT, SERVER, isn + 1, ACK | 0x08, stream))
    if close == FIN:
        packets += [packet(CLIENT, SERVER, isn + 1 + len(stream), FIN | ACK), packet(SERVER, CLIENT, 7001, FIN | ACK)]
    else:
        packets.append(packet(SERVER, CLIENT, 7001, RST))
    return packets


def pcap(packets):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for number, data in enumerate(packets):
        out += struct.pack("<IIII", number, 0, len(data), len(data)) + data
    return out


class PcapToSessionsTests(unittest.TestCase):
    def streams(self, packets):
        with tempfile.NamedTemporaryFile(suffix=".pcap") as capture:
            capture.write(pcap(packets))
            capture.flush()
            return [data for _, data in script.read_streams(capture.name)]

    def test_a_reused_four_tuple_after_fin_or_rst_is_two_sessions(self):
        first, second = OPTNEG + frame(b"Q"), OPTNEG + frame(b"A") + frame(b"Q")
        for close in (FIN, RST):
            with self.subTest(close=close):
                # The second connection reuses the first's initial sequence number: only the end splits them.
                packets = connection(1000, first, close) + connection(1000, second, FIN)
                self.assertEqual(self.streams(packets), [first, second])

    def test_a_new_initial_sequence_number_is_a_new_connection(self):
        first, second = OPTNEG, OPTNEG + frame(b"Q")
        packets = connection(1000, first, FIN)[:3] + connection(5000, second, FIN)
        self.assertEqual(self.streams(packets), [first, second])

    def test_a_retransmitted_syn_does_not_split_the_stream(self):
        stream = OPTNEG + frame(b"Q")
        packets = connection(1000, stream, FIN)
        packets.insert(1, packet(CLIENT, SERVER, 1000, SYN))
        self.assertEqual(self.streams(packets), [stream])


if __name__ == "__main__":
    unittest.main()
