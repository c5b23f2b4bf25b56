#!/usr/bin/env python3
"""Differential peer for MailMessage: what Python's `email` package parses from each message.

Usage: email_peer.py FILE...   (prints one JSON object per file and line, in argument order)
       email_peer.py --values KIND FILE   (one header value per line; see value_view)

Each object is the canonical view that Tests/MailMessageTests/PythonEmailDifferentialTests.swift
builds from MailMessage and compares facet by facet:

  file          the path as given
  headerNames   every top-level field name, in order
  unstructured  [name, decoded value] for the top-level fields Python treats as unstructured text
                (RFC 2047 decoded, unfolded, trimmed); structured fields are compared through the
                facets below instead
  subject       the decoded Subject, or null
  addresses     {field: [[display name, addr-spec], ...]} for From, Sender, Reply-To, To, Cc, Bcc
                (first field of each name, groups flattened)
  date          [seconds since 1970 UTC, UTC offset in minutes], or null when missing or unreadable
  messageID     Message-ID without angle brackets, or null
  parts         every MIME entity depth first (embedded messages entered), each with its media
                type, decoded parameters (RFC 2231 applied), disposition, filename, child count
                for containers, and for leaves the decoded body's size and FNV-1a 64 hash and,
                for text parts whose charset Python knows, the decoded text

Parsed with email.message_from_bytes(data, policy=email.policy.default).
"""
import email
import email.policy
import json
import sys

ADDRESS_FIELDS = ["From", "Sender", "Reply-To", "To", "Cc", "Bcc"]
# Fields the default policy parses as structured (email.headerregistry); the rest are unstructured.
STRUCTURED = {
    "subject", "date", "resent-date", "orig-date", "sender", "resent-sender", "to", "resent-to",
    "cc", "resent-cc", "bcc", "resent-bcc", "from", "resent-from", "reply-to", "mime-version",
    "content-type", "content-disposition", "content-transfer-encoding", "message-id",
}


def fnv1a64(data: bytes) -> str:
    value = 0xCBF29CE484222325
    for byte in data:
        value ^= byte
        value = (value * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % value


def header_str(msg, name):
    value = msg.get(name)
    return None if value is None else str(value).strip()


def addresses(msg, name):
    header = msg.get(name)
    if header is None:
        return None
    try:
        return [[a.display_name, a.addr_spec] for a in header.addresses]
    except Exception as error:  # a header the registry could not parse
        return [["!error", type(error).__name__]]


def date(msg):
    header = msg.get("Date")
    if header is None:
        return None
    try:
        moment = header.datetime
    except Exception:
        return None
    if moment is None:
        return None
    offset = moment.utcoffset()
    minutes = 0 if offset is None else int(offset.total_seconds() // 60)
    if moment.tzinfo is None:
        import datetime
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return [int(moment.timestamp()), minutes]


def message_id(msg):
    value = msg.get("Message-ID")
    if value is None:
        return None
    text = str(value).strip()
    if text.startswith("<") and ">" in text:
        text = text[1:text.index(">")]
    return text.strip()


def part_view(part):
    view = {"type": part.get_content_type()}
    header = part.get("Content-Type")
    params = {}
    if header is not None:
        try:
            params = {k.lower(): str(v) for k, v in header.params.items()}
        except Exception:
            params = {"!error": "params"}
    view["params"] = params
    disposition = part.get("Content-Disposition")
    view["disposition"] = None if disposition is None else disposition.content_disposition
    filename = part.get_filename()
    view["filename"] = None if filename is None else str(filename)
    if part.is_multipart():
        payload = part.get_payload()
        view["children"] = len(payload) if isinstance(payload, list) else 0
        return view
    body = part.get_payload(decode=True) or b""
    view["size"] = len(body)
    view["hash"] = fnv1a64(body)
    if part.get_content_maintype() == "text":
        try:
            view["text"] = part.get_content()
        except LookupError:
            view["text"] = None  # Python does not know the charset
    return view


def canonical(path):
    with open(path, "rb") as handle:
        data = handle.read()
    msg = email.message_from_bytes(data, policy=email.policy.default)
    unstructured = []
    for name in msg.keys():
        if name.lower() in STRUCTURED:
            continue
        unstructured.append([name, _nth(msg, name, unstructured)])
    return {
        "file": path,
        "headerNames": list(msg.keys()),
        "unstructured": unstructured,
        "subject": header_str(msg, "Subject"),
        "addresses": {name: addresses(msg, name) for name in ADDRESS_FIELDS if msg.get(name) is not None},
        "date": date(msg),
        "messageID": message_id(msg),
        "parts": [part_view(part) for part in msg.walk()],
    }


def raw_text(value):
    """Strings with the raw 8-bit bytes Python keeps as lone surrogates read as UTF-8 (RFC 6532), an
    invalid sequence as U+FFFD, recursively."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if isinstance(value, list):
        return [raw_text(item) for item in value]
    if isinstance(value, dict):
        return {raw_text(key): raw_text(item) for key, item in value.items()}
    return value


def _nth(msg, name, seen):
    """The value of the next field called `name` (the fields are visited in order)."""
    index = sum(1 for n, _ in seen if n.lower() == name.lower())
    return str(msg.get_all(name)[index]).strip()


def value_view(kind, text):
    """Python's reading of one header value of a kind: `addresses` ([[display name, addr-spec]]),
    `encoded-words` (the decoded unstructured text), `content-types` ({param: value, "#type": media type}),
    `dates` ([seconds since 1970, offset minutes] or null); "!error" when Python raises."""
    from email.headerregistry import HeaderRegistry
    import email.utils
    try:
        if kind == "addresses":
            return [[a.display_name, a.addr_spec] for a in HeaderRegistry()("To", text).addresses]
        if kind == "encoded-words":
            return str(HeaderRegistry()("X-Test", text))
        if kind == "content-types":
            header = HeaderRegistry()("Content-Type", text)
            params = {k.lower(): str(v) for k, v in header.params.items()}
            params["#type"] = header.content_type
            return params
        if kind == "dates":
            moment = email.utils.parsedate_to_datetime(text)
            offset = moment.utcoffset()
            minutes = 0 if offset is None else int(offset.total_seconds() // 60)
            if moment.tzinfo is None:
                import datetime
                moment = moment.replace(tzinfo=datetime.timezone.utc)
            return [int(moment.timestamp()), minutes]
    except Exception:
        return None if kind == "dates" else "!error"
    raise SystemExit("unknown kind " + kind)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--values":
        # email_peer.py --values KIND FILE: one JSON line [value, Python's reading] per line of FILE.
        with open(sys.argv[3], encoding="utf-8") as handle:
            for line in handle.read().split("\n"):
                if line:
                    print(json.dumps([line, raw_text(value_view(sys.argv[2], line))], ensure_ascii=True))
        sys.exit(0)
    for path in sys.argv[1:]:
        print(json.dumps(raw_text(canonical(path)), ensure_ascii=True, sort_keys=True))
