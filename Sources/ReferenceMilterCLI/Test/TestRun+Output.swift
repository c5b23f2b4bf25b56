import MilterProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TestRun {
    /// The SMTP reply text, if the milter gave one.
    package var replyText: String? {
        if case .replyCode(let text) = outcome.final { return text.string }
        return nil
    }

    /// srmilter's log line, then one line per refused recipient, modification and server warning.
    package func text() -> String {
        var line = "\(queueID): \(outcome.verdict.uppercased()) (\(reason ?? "decided at \(outcome.stage)"))"
        if let replyText { line += " \"\(replyText)\"" }
        if let quarantine = outcome.quarantine { line += " quarantine=\"\(quarantine)\"" }
        var lines = [line]
        for (recipient, reply) in outcome.refusedRecipients.sorted(by: { $0.key < $1.key }) {
            lines.append("  refused recipient \(recipient): \(ReplyDescription.describe(reply))")
        }
        lines += outcome.modifications.map { "  " + ReplyDescription.describe($0) }
        lines += warnings.map { "  warning: " + $0 }
        return lines.joined(separator: "\n")
    }

    /// The result as a JSON object.
    package func json() throws -> String {
        let object = TestJSON(
            verdict: outcome.verdict, stage: "\(outcome.stage)", reason: reason, reply: replyText,
            quarantine: outcome.quarantine, modifications: outcome.modifications.map(ReplyDescription.describe),
            refusedRecipients: outcome.refusedRecipients.mapValues(ReplyDescription.describe), warnings: warnings)
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
