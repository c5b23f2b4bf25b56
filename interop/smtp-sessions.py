#!/usr/bin/python3
"""Sends the fixture SMTP sessions to a Postfix instance (used by scripts/record-fixtures.sh).

Usage: smtp-sessions.py HOST PORT SESSION...

Each SESSION is one SMTP connection (and so one milter connection):
  verdicts    cmilter: every verdict and every modification, 12 messages on one connection
  rcpt        cmilter: a RCPT rejected by the milter, then accepted recipients, 2 messages
  helo-reject cmilter: the milter rejects at HELO (Postfix then ends the milter connection)
  large       cmilter: one message whose body is over 64 KB (two body chunks), with addheader
  dkim        OpenDKIM: 3 messages from example.com (signed), the last over 64 KB
Message contents are fixed (Date, Message-ID), so a replay sees the same milter input.
"""
import smtplib
import sys

DATE = "Sat, 01 Nov 2025 12:00:00 +0000"


def message(n, subject, extra=(), body="Hello from the fixture recorder.\r\n", sender="sender@example.com"):
    lines = [
        f"From: Fixture Sender <{sender}>",
        "To: <rcpt@example.org>",
        f"Subject: {subject}",
        f"Date: {DATE}",
        f"Message-ID: <fixture-{n}@interop.test>",
    ]
    lines += [f"{name}: {value}" for name, value in extra]
    return "\r\n".join(lines) + "\r\n\r\n" + body


def large_body(size=70 * 1024):
    lines, total, i = [], 0, 0
    while total < size:
        line = f"line {i:05d} the quick brown fox jumps over the lazy dog 0123456789\r\n"
        lines.append(line)
        total += len(line)
        i += 1
    return "".join(lines)


VERDICTS = [
    ("accept", [("X-Test-Action", "accept")]),
    ("continue", [("X-Test-Action", "continue")]),
    ("reject", [("X-Test-Action", "reject")]),
    ("tempfail", [("X-Test-Action", "tempfail")]),
    ("discard", [("X-Test-Action", "discard")]),
    ("quarantine", [("X-Test-Action", "quarantine")]),
    ("replycode 5xx", [("X-Test-Action", "replycode 550 5.7.1 rejected by fixture rule")]),
    ("replycode 4xx", [("X-Test-Action", "replycode 451 4.7.1 try again later")]),
    ("header edits", [("X-Test-Mod", "addheader insheader chgheader delheader"), ("X-Test-Delete", "x")]),
    ("envelope edits", [("X-Test-Mod", "addrcpt addrcpt_par delrcpt chgfrom")]),
    ("body and progress", [("X-Test-Mod", "replbody progress")]),
    ("no headers for the milter", []),
]


def send(smtp, n, sender, rcpts, text):
    try:
        refused = smtp.sendmail(sender, rcpts, text)
        print(f"  message {n}: 250 (refused recipients: {refused or 'none'})")
    except smtplib.SMTPResponseException as error:
        print(f"  message {n}: {error.smtp_code} {error.smtp_error.decode(errors='replace')}")
        smtp.rset()
    except smtplib.SMTPRecipientsRefused as error:
        print(f"  message {n}: all recipients refused {error.recipients}")


def session(host, port, name):
    print(f"session {name}")
    helo = "reject-helo.interop.test" if name == "helo-reject" else "client.interop.test"
    with smtplib.SMTP(host, port, local_hostname=helo, timeout=60) as smtp:
        if name == "verdicts":
            for n, (subject, extra) in enumerate(VERDICTS, start=1):
                rcpts = ["rcpt@example.org", "delete-me@example.org"] if subject == "envelope edits" else ["rcpt@example.org"]
                send(smtp, n, "sender@example.com", rcpts, message(n, subject, extra))
        elif name == "rcpt":
            send(smtp, 101, "sender@example.com", ["reject-rcpt@example.org", "rcpt@example.org"], message(101, "one rcpt rejected"))
            send(smtp, 102, "sender@example.com", ["tempfail-rcpt@example.org", "rcpt@example.org"], message(102, "one rcpt tempfailed"))
        elif name == "helo-reject":
            send(smtp, 201, "sender@example.com", ["rcpt@example.org"], message(201, "after a HELO reject"))
        elif name == "large":
            send(smtp, 301, "sender@example.com", ["rcpt@example.org"],
                 message(301, "large body", [("X-Test-Mod", "addheader")], large_body()))
        elif name == "dkim":
            send(smtp, 401, "sender@example.com", ["rcpt@example.org"], message(401, "sign me"))
            send(smtp, 402, "sender@example.com", ["rcpt@example.org", "other@example.net"], message(402, "sign me too"))
            send(smtp, 403, "sender@example.com", ["rcpt@example.org"], message(403, "sign a large body", body=large_body()))
        else:
            raise SystemExit(f"unknown session {name}")


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    for name in sys.argv[3:]:
        session(sys.argv[1], int(sys.argv[2]), name)


if __name__ == "__main__":
    main()
