#!/usr/bin/python3
"""A python3-milter (pymilter, on libmilter) peer for the swift-milter interop tests.

Usage: pymilter.py SOCKET      e.g. inet:4567@127.0.0.1

Rules (the reject/tempfail subject tags of interop/cmilter/cmilter.c's "subject" mode, its own header):
  Subject contains "[reject]"   -> 550 5.7.1 rejected by pymilter
  Subject contains "[tempfail]" -> 451 4.7.1 tempfail by pymilter
  otherwise                     -> add "X-PyMilter: seen N header(s), M body byte(s)", then accept
It prints "pymilter: listening on SOCKET" once started and one line per message on stderr.
"""
import sys

import Milter


class InteropMilter(Milter.Base):
    def __init__(self):
        self.reset()

    def reset(self):
        self.subject = ""
        self.headers = 0
        self.body_bytes = 0

    @Milter.noreply
    def envfrom(self, mailfrom, *args):
        self.reset()
        return Milter.CONTINUE

    def header(self, name, value):
        self.headers += 1
        if name.lower() == "subject" and not self.subject:
            self.subject = value
        return Milter.CONTINUE

    def body(self, chunk):
        self.body_bytes += len(chunk)
        return Milter.CONTINUE

    def eom(self):
        print(f"pymilter: eom headers={self.headers} body={self.body_bytes}", file=sys.stderr, flush=True)
        if "[reject]" in self.subject:
            self.setreply("550", "5.7.1", "rejected by pymilter")
            return Milter.REJECT
        if "[tempfail]" in self.subject:
            self.setreply("451", "4.7.1", "tempfail by pymilter")
            return Milter.TEMPFAIL
        self.addheader("X-PyMilter", f"seen {self.headers} header(s), {self.body_bytes} body byte(s)")
        return Milter.ACCEPT

    def abort(self):
        self.reset()
        return Milter.CONTINUE


def main():
    if len(sys.argv) != 2:
        print("usage: pymilter.py SOCKET", file=sys.stderr)
        return 2
    Milter.factory = InteropMilter
    Milter.set_flags(Milter.ADDHDRS)
    print(f"pymilter: listening on {sys.argv[1]}", flush=True)
    Milter.runmilter("pymilter", sys.argv[1], 60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
