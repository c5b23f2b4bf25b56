import Logging
import MailMessage
import MilterProtocol
import NIOConcurrencyHelpers
import NIOCore
import ReferenceMilter

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The result of `test`: what went over the wire, and the classifier's reason.
struct TestRun {
    let result: DriveResult
    let reason: String?
    let queueID: String

    /// Starts an embedded server with the classifier, drives the message through it, stops it.
    static func run(
        message: RawMessage, envelope: PostfixScript.Envelope, classifier: any MailClassifier,
        options: ProtocolOptions, classifierTimeout: TimeAmount
    ) async throws -> TestRun {
        let decision = NIOLockedValueBox<Decision?>(nil)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let milter = try await EmbeddedMilter.start(
            classifier: classifier,
            configuration: ServerConfiguration(
                eventLoopThreads: 1, classifierTimeout: classifierTimeout, drainTimeout: .milliseconds(100),
                protocolOptions: options),
            logger: logger, observer: { _, value in decision.withLockedValue { $0 = value } })
        do {
            let result = try await MessageDriver.run(
                message: message, envelope: envelope, host: milter.host, port: milter.port,
                timeout: classifierTimeout + .seconds(10))
            await milter.shutdown()
            return TestRun(result: result, reason: decision.withLockedValue { $0?.reason }, queueID: envelope.queueID)
        } catch {
            await milter.shutdown()
            throw error
        }
    }

    /// The verdict's name: accept, reject, tempfail, discard or quarantine.
    var verdict: String {
        if result.quarantine != nil { return "quarantine" }
        switch result.final {
        case .reject: return "reject"
        case .tempfail: return "tempfail"
        case .discard: return "discard"
        case .replyCode(let text): return text.bytes.first == UInt8(ascii: "4") ? "tempfail" : "reject"
        default: return "accept"
        }
    }

    /// The documented exit status of the verdict.
    var exitStatus: Int32 {
        ["accept": 0, "reject": 1, "tempfail": 3, "discard": 4, "quarantine": 5][verdict] ?? 0
    }

    /// The SMTP reply text, if the milter gave one.
    var replyText: String? {
        if case .replyCode(let text) = result.final { return text.string }
        return nil
    }

    /// srmilter's log line, then one line per modification.
    func text() -> String {
        var line = "\(queueID): \(verdict.uppercased()) (\(reason ?? "decided at \(result.stage)"))"
        if let replyText { line += " \"\(replyText)\"" }
        if let quarantine = result.quarantine { line += " quarantine=\"\(quarantine)\"" }
        var lines = [line]
        for (recipient, reply) in result.refusedRecipients.sorted(by: { $0.key < $1.key }) {
            lines.append("  refused recipient \(recipient): \(ReplyDescription.describe(reply))")
        }
        lines += result.modifications.map { "  " + ReplyDescription.describe($0) }
        return lines.joined(separator: "\n")
    }

    /// The result as a JSON object.
    func json() throws -> String {
        let object = TestJSON(
            verdict: verdict, stage: "\(result.stage)", reason: reason, reply: replyText, quarantine: result.quarantine,
            modifications: result.modifications.map(ReplyDescription.describe),
            refusedRecipients: result.refusedRecipients.mapValues(ReplyDescription.describe))
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
}

/// Replies in words: `add header X-Name: value`, `reject`, ….
enum ReplyDescription {
    static func describe(_ reply: MilterReply) -> String {
        switch reply {
        case .addHeader(let field): "add header \(field.name): \(field.value)"
        case .insertHeader(let indexed):
            "insert header at \(indexed.index) \(indexed.field.name): \(indexed.field.value)"
        case .changeHeader(let indexed) where indexed.field.value.isEmpty:
            "delete header \(indexed.field.name) #\(indexed.index)"
        case .changeHeader(let indexed): "change header \(indexed.field.name) #\(indexed.index): \(indexed.field.value)"
        case .addRecipient(let address): "add recipient \(address)"
        case .addRecipientWithArguments(let change): "add recipient \(change.address) \(change.arguments?.string ?? "")"
        case .deleteRecipient(let address): "delete recipient \(address)"
        case .changeSender(let change): "change sender \(change.address) \(change.arguments?.string ?? "")"
        case .replaceBody(let bytes): "replace body (\(bytes.readableBytes) bytes)"
        case .replyCode(let text): "reply \(text)"
        default: reply.id.description.lowercased()
        }
    }
}
