#!/usr/bin/env python3
# An SMTP client for the interop tests that the Swift harness cannot be: it speaks STARTTLS.
#
#   smtp-steps.py PORT STEP...
#       STEP is one of: ehlo:NAME, starttls, xclient:ATTR=VALUE[,ATTR=VALUE...], message, quit
#       (message: MAIL FROM:<a@example.com>, RCPT TO:<b@example.org>, DATA with "Subject: hi").
#
# Connects to 127.0.0.1:PORT, plays the steps in order and prints each reply code. Any reply other than
# the one a step expects (250, 220 for STARTTLS and XCLIENT, 221 for QUIT) ends it with exit status 1, but
# for STARTTLS: a refused STARTTLS prints "starttls CODE TEXT" and the session goes on in plain text.
# The server's certificate is not checked: the tests' Postfix has a self-signed one.
import smtplib
import ssl
import sys

TIMEOUT = 60


def main(port, steps):
    client = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=TIMEOUT)
    for step in steps:
        kind, _, value = step.partition(":")
        if kind == "ehlo":
            code, _ = client.ehlo(value)
            expect(step, code, 250)
        elif kind == "starttls":
            # Not smtplib's starttls(), which refuses when EHLO did not announce STARTTLS (Postfix leaves it out
            # after a milter's refusal): the command goes as it is, and the socket is wrapped as starttls() does.
            code, text = client.docmd("STARTTLS")
            if code != 220:
                print(step, code, text.decode("ascii", "replace"))
                continue
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            client.sock = context.wrap_socket(client.sock, server_hostname="mta.interop.test")
            client.file = None
            client.helo_resp = client.ehlo_resp = None
            client.esmtp_features = {}
            client.does_esmtp = False
            print(step, code)
        elif kind == "xclient":
            code, text = client.docmd("XCLIENT", " ".join(value.split(",")))
            expect(step, code, 220, text)
        elif kind == "message":
            refused = client.sendmail("a@example.com", ["b@example.org"], "Subject: hi\r\n\r\nbody\r\n")
            if refused:
                fail(step, refused)
            print(step, 250)
        elif kind == "quit":
            code, _ = client.quit()
            expect(step, code, 221)
        else:
            fail(step, "unknown step")


def expect(step, code, wanted, text=b""):
    if code != wanted:
        fail(step, f"{code} {text!r}")
    print(step, code)


def fail(step, why):
    print(f"smtp-steps: {step}: {why}", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2:])
