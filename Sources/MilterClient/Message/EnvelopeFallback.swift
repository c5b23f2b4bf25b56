import MailMessage
import MilterProtocol

/// The envelope a message's own headers suggest, when the command line gives none: what `milter-replay` and a
/// milter binary's `test` send.
package enum EnvelopeFallback {
    /// The recipient used when the headers name none: every MTA accepts postmaster.
    package static let lastResortRecipient = "postmaster@example.test"

    /// `raw` with the envelope given (`from`, `recipients`), else the one its headers suggest; and what was
    /// made up, in words, when the headers gave none (see ``warning(for:sender:recipients:)``).
    package static func message(
        _ raw: RawMessage, from: String?, recipients: [String]
    ) -> (message: MilterMessage, warning: String?) {
        message(
            raw, sender: from.map { EnvelopeAddress(mailbox: $0) },
            recipients: recipients.map { EnvelopeAddress(mailbox: $0) })
    }

    /// `raw` with the envelope given (`from`, `recipients`, each on its own), else the one a file written by
    /// `milter-replay --export-eml` recorded at the top of its header (``RecordedEnvelope``: those fields are
    /// taken out and not sent), else the one its headers suggest, as ``message(_:from:recipients:)``. A recorded
    /// field that holds no envelope address is ``EnvelopeFieldError``.
    package static func message(
        _ raw: RawMessage, recordedOr from: String?, recipients: [String]
    ) throws(EnvelopeFieldError) -> (message: MilterMessage, warning: String?) {
        var raw = raw
        let recorded = try RecordedEnvelope(takingFrom: &raw)
        return message(
            raw, sender: from.map { EnvelopeAddress(mailbox: $0) } ?? recorded.sender,
            recipients: recipients.isEmpty ? recorded.recipients : recipients.map { EnvelopeAddress(mailbox: $0) })
    }

    /// `raw` with the envelope given as addresses with their ESMTP arguments (`sender`, `recipients`), else the
    /// one its headers suggest, as ``message(_:from:recipients:)``.
    package static func message(
        _ raw: RawMessage, sender given: EnvelopeAddress?, recipients: [EnvelopeAddress]
    ) -> (message: MilterMessage, warning: String?) {
        let sender = given ?? Self.sender(of: raw)
        let rcpts = recipients.isEmpty ? Self.recipients(of: raw) : recipients
        let warning = Self.warning(
            for: raw, sender: given == nil ? sender : nil, recipients: recipients.isEmpty ? rcpts : nil)
        return (MilterMessage(sender: sender, recipients: rcpts, content: raw), warning)
    }

    /// Return-Path, else the first From mailbox, else the null sender.
    package static func sender(of raw: RawMessage) -> EnvelopeAddress {
        if let returnPath = raw.fields(named: "Return-Path").first {
            let text = returnPath.value.filter { !$0.isWhitespace }
            return EnvelopeAddress(address: MilterString(text.hasPrefix("<") ? text : "<\(text)>"))
        }
        let from = raw.fields(named: "From").flatMap { AddressList(parsing: $0.valueBytes[...]).mailboxes }
        return EnvelopeAddress(mailbox: from.first?.address ?? "")
    }

    /// What is invented when the headers give no envelope (an empty file, no header fields, no From or To):
    /// `sender` and `recipients` are those taken from the headers (`nil` when the command line gave them).
    package static func warning(
        for raw: RawMessage, sender: EnvelopeAddress?, recipients: [EnvelopeAddress]?
    ) -> String? {
        var invented: [String] = []
        var missing: [String] = []
        // A null sender from the message's own `Return-Path: <>` (a bounce) is what the headers say, not made up.
        if let sender, sender.address.bytes == Array("<>".utf8), raw.fields(named: "Return-Path").isEmpty {
            invented.append("MAIL FROM:<>")
            missing.append("sender")
        }
        if let recipients, recipients.map(\.address.string) == ["<\(lastResortRecipient)>"] {
            invented.append("RCPT TO:<\(lastResortRecipient)>")
            missing.append("recipient")
        }
        guard !invented.isEmpty else { return nil }
        let what =
            raw.headerFields.isEmpty
            ? "no header fields" : "no \(missing.joined(separator: " or ")) in its header fields"
        return "\(what): sent with \(invented.joined(separator: " and "))"
    }

    /// The mailboxes of To, Cc and Bcc, in order, without duplicates.
    package static func recipients(of raw: RawMessage) -> [EnvelopeAddress] {
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
