import MilterProtocol
import _MilterSystem

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TestRun {
    /// The SMTP reply text, if the milter gave one: as the SMTP client sees it (`%%` undone), as
    /// milter-replay shows it.
    package var replyText: String? {
        if case .replyCode(let text) = outcome.final { return outcome.smtpReply ?? text.string }
        return nil
    }

    /// A refused recipient's reply in words, its REPLYCODE as the SMTP client sees it.
    private func refusal(of recipient: String, _ reply: MilterReply) -> String {
        guard case .replyCode = reply, let text = outcome.refusedRecipientReplies[recipient] else {
            return ReplyDescription.describe(reply, headerLeadingSpace: outcome.headerLeadingSpace)
        }
        return "reply \(text)"
    }

    /// srmilter's log line, then one line per refused recipient, modification and server warning. Each line's
    /// control characters (from the message: a reason echoing a subject, a header field added) are escaped,
    /// line feeds included, as `dump` and the daemon's log do: the terminal shows them, it does not obey them.
    package func text() -> String {
        var line = "\(queueID): \(outcome.verdict.uppercased()) (\(reason ?? "decided at \(outcome.stage)"))"
        if let replyText { line += " \"\(replyText)\"" }
        if let quarantine = outcome.quarantine { line += " quarantine=\"\(quarantine)\"" }
        var lines = [line]
        for (recipient, reply) in outcome.refusedRecipients.sorted(by: { $0.key < $1.key }) {
            lines.append("  refused recipient \(recipient): \(refusal(of: recipient, reply))")
        }
        lines += outcome.modifications.map {
            "  " + ReplyDescription.describe($0, headerLeadingSpace: outcome.headerLeadingSpace)
        }
        lines += warnings.map { "  warning: " + $0 }
        return lines.map { TerminalText.escapingControls($0, keepingLineFeeds: false) }.joined(separator: "\n")
    }

    /// The result as a JSON object.
    package func json() throws -> String {
        let object = TestJSON(
            verdict: outcome.verdict, stage: "\(outcome.stage)", reason: reason, reply: replyText,
            quarantine: outcome.quarantine,
            modifications: outcome.modifications.map {
                ReplyDescription.describe($0, headerLeadingSpace: outcome.headerLeadingSpace)
            },
            refusedRecipients: Dictionary(
                uniqueKeysWithValues: outcome.refusedRecipients.map { ($0.key, refusal(of: $0.key, $0.value)) }),
            warnings: warnings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(object), as: UTF8.self)
    }
}

private struct TestJSON: Encodable {
    var verdict: String
    var stage: String
    var reason: String?
    var reply: String?
    var quarantine: String?
    var modifications: [String]
    var refusedRecipients: [String: String]
    var warnings: [String]
}
