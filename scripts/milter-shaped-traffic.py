#!/usr/bin/env python3
"""Sends milter-shaped bytes over real TCP sockets so tcpdump can record them.

Not a milter: a fixed MTA script and a fixed answering script, framed as the milter protocol
(u32 length, command byte, payload). Used by scripts/record-synthetic-captures.sh.

usage: milter-shaped-traffic.py HOST PORT [--other-port PORT]
"""
import socket
import struct
import sys
import threading
import time


def frame(command, payload=b""):
    return struct.pack(">I", len(payload) + 1) + command + payload


def mta_script():
    body = b"".join(b"line %04d of the synthetic body\r\n" % n for n in range(90))
    yield frame(b"O", struct.pack(">III", 6, 0x1FF, 0x1FFFFF))
    yield frame(b"D", b"Cj\0mx.synthetic.test\0") + frame(
        b"C", b"client.synthetic.test\0" + b"4" + struct.pack(">H", 40123) + b"192.0.2.9\0")
    yield frame(b"H", b"client.synthetic.test\0")
    yield frame(b"M", b"<sender@synthetic.test>\0SIZE=3000\0")
    yield frame(b"R", b"<rcpt@synthetic.test>\0")
    yield frame(b"T")
    yield frame(b"L", b"Subject\0synthetic capture\0")
    yield frame(b"L", b"From\0Sender <sender@synthetic.test>\0")
    yield frame(b"N")
    yield frame(b"B", body)
    yield frame(b"E")
    yield frame(b"A") + frame(b"Q")


REPLIES = [
    frame(b"O", struct.pack(">III", 6, 0x01, 0x0)),
    frame(b"c"), frame(b"c"), frame(b"c"), frame(b"c"), frame(b"c"), frame(b"c"), frame(b"c"), frame(b"c"),
    frame(b"c"),
    frame(b"h", b"X-Synthetic\0yes\0") + frame(b"a"),
]


def serve(listener):
    connection, _ = listener.accept()
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for reply in REPLIES:
        received = connection.recv(65536)
        if not received:
            break
        connection.sendall(reply)
    connection.recv(65536)
    connection.close()


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(1)
    server = threading.Thread(target=serve, args=(listener,))
    server.start()
    client = socket.create_connection((host, port), timeout=10)
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for step in mta_script():
        client.sendall(step)
        time.sleep(0.002)
        if step[4:5] not in (b"A",):
            client.recv(65536)
    client.close()
    server.join(timeout=10)
    listener.close()
    if "--other-port" in sys.argv:
        other = int(sys.argv[sys.argv.index("--other-port") + 1])
        web = socket.socket(family, socket.SOCK_STREAM)
        web.bind((host, other))
        web.listen(1)
        peer = socket.create_connection((host, other), timeout=10)
        accepted, _ = web.accept()
        peer.sendall(b"GET / HTTP/1.1\r\nHost: synthetic.test\r\n\r\n")
        accepted.recv(65536)
        accepted.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")
        peer.recv(65536)
        peer.close()
        accepted.close()
        web.close()


if __name__ == "__main__":
    main()
