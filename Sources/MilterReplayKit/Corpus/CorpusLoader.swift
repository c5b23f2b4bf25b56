import MailMessage
import MilterClient
import MilterProtocol
import _MilterSystem

/// Turns files into messages: the envelope from the options or the headers, the expectation
/// from `--expect`, else the manifest, else `X-Milter-Expect:` (always stripped before sending).
package struct CorpusLoader {
    /// The header that names a message's expected verdict; never sent to the milter.
    static let expectHeader = "X-Milter-Expect"

    package var from: String?
    package var recipients: [String]
    package var manifest: Manifest?
    package var defaultExpectation: Disposition?

    /// A loader that gives every message `from` and `recipients` (when set) and the expectation of
    /// `defaultExpectation`, else of `manifest`, else of the message's header.
    package init(from: String?, recipients: [String], manifest: Manifest?, defaultExpectation: Disposition?) {
        self.from = from
        self.recipients = recipients
        self.manifest = manifest
        self.defaultExpectation = defaultExpectation
    }

    package func load(_ paths: [String]) throws(CorpusError) -> [CorpusEntry] {
        var entries: [CorpusEntry] = []
        for path in paths { entries.append(try entry(path)) }
        return entries
    }

    private func entry(_ path: String) throws(CorpusError) -> CorpusEntry {
        var raw = RawMessage(parsing: try CorpusFiles.read(path))
        // The command line wins over the file: --expect, then the manifest, then the header.
        var expected = defaultExpectation ?? manifest?.expectation(for: path)
        if let field = raw.fields(named: Self.expectHeader).first {
            let word = field.value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
            guard let first = word.first, let verdict = Disposition(rawValue: first.lowercased()) else {
                throw CorpusError(
                    description: "\(path): \(Self.expectHeader) must name a verdict: \(Manifest.verdictWords)")
            }
            expected = expected ?? verdict
            raw.removeFields(named: Self.expectHeader)
        }
        let sender = from.map { EnvelopeAddress(mailbox: $0) } ?? EnvelopeFallback.sender(of: raw)
        let rcpts =
            recipients.isEmpty ? EnvelopeFallback.recipients(of: raw) : recipients.map { EnvelopeAddress(mailbox: $0) }
        let message = MilterMessage(sender: sender, recipients: rcpts, content: raw)
        if let warning = EnvelopeFallback.warning(
            for: raw, sender: from == nil ? sender : nil, recipients: recipients.isEmpty ? rcpts : nil)
        {
            FileDescriptorWriter.standardError("milter-replay: warning: \(path): \(warning)\n")
        }
        return CorpusEntry(path: path, message: message, expected: expected)
    }
}

/// The envelope a message's own headers suggest, when the command line gives none.
enum EnvelopeFallback {
    /// The recipient used when the headers name none: every MTA accepts postmaster.
    static let lastResortRecipient = "postmaster@example.test"

    /// Return-Path, else the first From mailbox, else the null sender.
    static func sender(of raw: RawMessage) -> EnvelopeAddress {
        if let returnPath = raw.fields(named: "Return-Path").first {
            let text = returnPath.value.filter { !$0.isWhitespace }
            return EnvelopeAddress(address: MilterString(text.hasPrefix("<") ? text : "<\(text)>"))
        }
        let from = raw.fields(named: "From").flatMap { AddressList(parsing: $0.valueBytes[...]).mailboxes }
        return EnvelopeAddress(mailbox: from.first?.address ?? "")
    }

    /// What is invented when the headers give no envelope (an empty file, no header fields, no From or To):
    /// `sender` and `recipients` are those taken from the headers (`nil` when the command line gave them).
    static func warning(for raw: RawMessage, sender: EnvelopeAddress?, recipients: [EnvelopeAddress]?) -> String? {
        var invented: [String] = []
        if let sender, sender.address.bytes == Array("<>".utf8) { invented.append("MAIL FROM:<>") }
        if let recipients, recipients.map(\.address.string) == ["<\(lastResortRecipient)>"] {
            invented.append("RCPT TO:<\(lastResortRecipient)>")
        }
        guard !invented.isEmpty else { return nil }
        let what = raw.headerFields.isEmpty ? "no header fields" : "no sender or recipient in its header fields"
        return "\(what): sent with \(invented.joined(separator: " and ")) (give --from and --rcpt)"
    }

    /// The mailboxes of To, Cc and Bcc, in order, without duplicates.
    static func recipients(of raw: RawMessage) -> [EnvelopeAddress] {
        var seen = Set<String>()
        var result: [EnvelopeAddress] = []
        for name in ["To", "Cc", "Bcc"] {
            for field in raw.fields(named: name) {
                for mailbox in AddressList(parsing: field.valueBytes[...]).mailboxes where !mailbox.address.isEmpty {
                    if seen.insert(mailbox.address.lowercased()).inserted {
                        result.append(EnvelopeAddress(mailbox: mailbox.address))
                    }
                }
            }
        }
        return result.isEmpty ? [EnvelopeAddress(mailbox: lastResortRecipient)] : result
    }
}
