import MilterProtocol

/// The transaction's envelope addresses (MAIL FROM, RCPT TO) inside a text the output shows: a refusal's reply
/// (`550 5.1.1 <bob@example.net>... User unknown`, which Sendmail's `usrerr` writes and milters write too), a
/// quarantine reason, a difference of a replayed capture. Each occurrence, in any case, is shape-redacted as every
/// error of the project redacts personal data (``Redaction``: `<xxx@xxxxxxx.xxx>`); with `--show-values` the text
/// is left as it is.
///
/// Made and applied only where a text is rendered or stored, never per message of a run that prints nothing: the
/// addresses are those the run keeps anyway (``CorpusEntry/message``, a capture's MAIL and RCPT).
struct EnvelopeRedaction: Sendable {
    /// What is searched for, lowercased, longest first: a longer address is redacted whole before a shorter one
    /// inside it is found.
    private let patterns: [[UInt8]]

    /// `MAXSHORTSTR` (Sendmail's `conf.h`): from this length on `usrerr` writes an address shortened by
    /// `shortenstring`, its first and last 100 bytes around `...`; each half is searched for on its own.
    private static let sendmailShortening = 203

    /// Redacts `addresses`, as MAIL and RCPT carry them (angle brackets or not); the null sender has nothing to
    /// redact. Nothing is redacted when `showsValues`. An address with a NUL is redacted whole (the NUL shown as
    /// `\0`), and so is its part before the NUL, which is what a milter reads of it and may quote.
    init(_ addresses: some Sequence<MilterString>, showsValues: Bool) {
        guard !showsValues else {
            patterns = []
            return
        }
        var found: Set<[UInt8]> = []
        for address in addresses {
            let bytes = address.bytes
            found.insert(Self.unbracketed(bytes[...]))
            if let nul = bytes.firstIndex(of: 0) { found.insert(Self.unbracketed(bytes[..<nul])) }
            if bytes.count >= Self.sendmailShortening {
                let half = (Self.sendmailShortening - 3) / 2
                found.insert(Self.unbracketed(bytes.prefix(half)))
                found.insert(Self.unbracketed(bytes.suffix(half)))
            }
        }
        patterns = found.filter { !$0.isEmpty }.map { $0.map(Self.lowercased) }.sorted { $0.count > $1.count }
    }

    /// `text` with every occurrence of an address shape-redacted.
    func callAsFunction(_ text: String) -> String {
        guard !patterns.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if let length = match(bytes, at: index) {
                out += Redaction.excerpt(bytes[index..<index + length]).utf8
                index += length
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The length of the first (longest) pattern at `index`, if one is there, not inside a longer word
    /// (``continuesWord(_:)``): `bob` is found in `<bob>... User unknown` but not in `bobby`.
    private func match(_ bytes: [UInt8], at index: Int) -> Int? {
        let first = Self.lowercased(bytes[index])
        if index > 0, Self.continuesWord(bytes[index - 1]) { return nil }
        for pattern in patterns where pattern[0] == first && bytes.count - index >= pattern.count {
            let end = index + pattern.count
            if end < bytes.count, Self.continuesWord(bytes[end]) { continue }
            if zip(pattern, bytes[index...]).allSatisfy({ $0 == Self.lowercased($1) }) { return pattern.count }
        }
        return nil
    }

    /// Whether `byte` next to a match would make it part of a longer word: an ASCII letter or digit. Nothing
    /// else stops a match, since a match missed shows an address: `envelope-from=bob@example.net`,
    /// `«bob@example.net»` and Sendmail's `<bob@example.net>...` are redacted (`bob-x` loses its `bob`).
    private static func continuesWord(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: false
        }
    }

    private static func unbracketed(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var rest = bytes
        if rest.first == UInt8(ascii: "<") { rest = rest.dropFirst() }
        if rest.last == UInt8(ascii: ">") { rest = rest.dropLast() }
        return Array(rest)
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}

extension MessageOutcome {
    /// The redaction of the message's envelope addresses (``EnvelopeRedaction``), unless `showsValues`.
    func envelopeRedaction(showsValues: Bool) -> EnvelopeRedaction {
        let message = entry.message
        return EnvelopeRedaction(
            CollectionOfOne(message.sender.address) + message.recipients.map(\.address), showsValues: showsValues)
    }
}
