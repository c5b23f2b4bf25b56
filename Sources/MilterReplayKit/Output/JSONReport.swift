import MilterCapture
import MilterClient
import MilterProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `--json` output: one JSON object per line, each message, then the summary.
/// The schema is documented in docs/milter-replay-json.md.
package enum JSONReport {
    /// Every key is written, `null` included: the documented "string or null" keys are always present.
    struct Message: Encodable {
        let type = "message"
        let sequence: Int
        let file: String
        let queueId: String?
        let verdict: String?
        let expected: String?
        let match: Bool?
        let failedExpectations: [String]
        let reply: String?
        let quarantine: String?
        let modifications: [String]
        let rejectedRecipients: [String]
        let findings: [FindingRecord]
        let latencyMs: Double
        let steps: [Step]
        let error: String?
        let resultingMessage: String?

        private enum CodingKeys: String, CodingKey {
            case type, sequence, file, queueId, verdict, expected, match, failedExpectations, reply, quarantine
            case modifications, rejectedRecipients, findings, latencyMs, steps, error, resultingMessage
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encode(sequence, forKey: .sequence)
            try container.encode(file, forKey: .file)
            try container.encode(queueId, forKey: .queueId)
            try container.encode(verdict, forKey: .verdict)
            try container.encode(expected, forKey: .expected)
            try container.encode(match, forKey: .match)
            try container.encode(failedExpectations, forKey: .failedExpectations)
            try container.encode(reply, forKey: .reply)
            try container.encode(quarantine, forKey: .quarantine)
            try container.encode(modifications, forKey: .modifications)
            try container.encode(rejectedRecipients, forKey: .rejectedRecipients)
            try container.encode(findings, forKey: .findings)
            try container.encode(latencyMs, forKey: .latencyMs)
            try container.encode(steps, forKey: .steps)
            try container.encode(error, forKey: .error)
            try container.encode(resultingMessage, forKey: .resultingMessage)
        }
    }

    struct FindingRecord: Encodable {
        let code: String
        let step: String
        /// `error`, or `warning` for a rule broken that the MTA lets go.
        let severity: String
        let description: String
        /// ``Finding/sentWithoutReply``'s runs, oldest first: `[{"command": "HEADER", "count": 10}]`.
        let sentWithoutReply: [CommandCount]
        /// ``Finding/SentWithoutReply/unlisted``: commands sent after those, not listed.
        let sentWithoutReplyMore: Int

        init(_ finding: Finding) {
            code = finding.code
            step = "\(finding.step)"
            severity = finding.severity.rawValue
            description = "\(finding)"
            sentWithoutReply = CommandCount.runs(of: finding.sentWithoutReply)
            sentWithoutReplyMore = finding.sentWithoutReply.unlisted
        }
    }

    /// A command sent `count` times in a row.
    struct CommandCount: Encodable {
        let command: String
        let count: Int

        /// The runs of `list`, oldest first.
        static func runs(of list: Finding.SentWithoutReply) -> [CommandCount] {
            list.runs.map { CommandCount(command: "\($0.command)", count: $0.count) }
        }
    }

    struct Step: Encodable {
        let command: String
        let delivery: String
        let replies: [String]
        let durationMs: Double
    }

    struct Summary: Codable {
        var type = "summary"
        let messages: Int
        let verdicts: [String: Int]
        let findings: [String: Int]
        let mismatches: [String]
        let connectFailures: Int
        /// Absent in summaries written before it was added.
        let connectFailuresByReason: [String: Int]?
        /// Messages the MTA would not offer to the milter; absent in summaries written before it was added.
        let inputErrors: Int?
        let seconds: Double
        let messagesPerSecond: Double
        let latencyMs: [String: Double]
        /// The latency histogram in microseconds, HdrHistogram's V2 compressed encoding in base64.
        let latencyHistogram: String?
        let rate: Rate?
        /// What was sent from a record, with exchange reuse on; absent otherwise.
        let exchangeReuse: ExchangeReuseCounts?
        let exitCode: Int32
        /// Why the milter could not be reached, when the run stopped before any connection opened; absent otherwise.
        let unreachable: String?
        /// How a run that SIGINT or SIGTERM stopped ended; absent otherwise.
        var interrupted: Interrupted.Record?
    }

    /// How an open-loop run kept its schedule.
    struct Rate: Codable {
        let requested: Double
        let achieved: Double
        let started: Int
        let lateStarts: Int
        /// Messages due within the run that never started; absent in summaries of earlier versions.
        let notStarted: Int?
        let maxStartLagMs: Double
        let keptUp: Bool
    }

    /// A message's object; the envelope addresses in `reply`, `quarantine` and `rejectedRecipients` are redacted
    /// unless `showsValues` (``EnvelopeRedaction``).
    package static func line(_ outcome: MessageOutcome, includeMessage: Bool, showsValues: Bool = false) -> String {
        let result = outcome.result
        let shown = result.map { shownTexts($0, outcome, showsValues: showsValues) }
        let record = Message(
            sequence: outcome.sequence, file: outcome.entry.path, queueId: result?.queueID,
            verdict: result?.verdict.rawValue,
            expected: outcome.entry.expected?.rawValue, match: outcome.entry.expected.map { _ in !outcome.isMismatch },
            failedExpectations: outcome.expectationFailures,
            reply: shown?.reply, quarantine: shown?.quarantine,
            modifications: result?.modifications.map(describe) ?? [],
            rejectedRecipients: shown?.rejectedRecipients ?? [],
            findings: outcome.findings.map(FindingRecord.init),
            latencyMs: outcome.latency.milliseconds,
            steps: result?.steps.map(step) ?? [], error: outcome.error,
            resultingMessage: includeMessage
                ? result?.resultingMessage.map { String(decoding: $0.rendered, as: UTF8.self) } : nil)
        return encode(record)
    }

    package static func summary(_ summary: RunSummary, seconds: Double) -> String {
        let record = Summary(
            messages: summary.messages,
            verdicts: Dictionary(uniqueKeysWithValues: summary.verdicts.map { ($0.key.rawValue, $0.value) }),
            findings: summary.findings, mismatches: summary.mismatches, connectFailures: summary.connectFailures,
            connectFailuresByReason: summary.connectFailuresByReason, inputErrors: summary.inputErrors,
            seconds: seconds,
            messagesPerSecond: seconds > 0 ? Double(summary.messages) / seconds : 0,
            latencyMs: [
                "p50": summary.latencyMilliseconds(percentile: 50), "p90": summary.latencyMilliseconds(percentile: 90),
                "p99": summary.latencyMilliseconds(percentile: 99), "max": summary.maximumLatencyMilliseconds,
            ],
            latencyHistogram: HistogramCoding.encode(summary.latencies),
            rate: summary.pacing.map {
                Rate(
                    requested: $0.requestedRate, achieved: $0.achievedRate, started: $0.started,
                    lateStarts: $0.lateStarts, notStarted: $0.notStarted, maxStartLagMs: $0.maximumLag.milliseconds,
                    keptUp: $0.keptUp)
            },
            exchangeReuse: summary.exchangeReuse, exitCode: summary.exitCode, unreachable: summary.unreachable,
            interrupted: summary.interrupted?.record)
        return encode(record)
    }

    /// The reply, the quarantine reason and the refused recipients as shown; the redaction is made only when
    /// one of them is there.
    private static func shownTexts(
        _ result: TransactionResult, _ outcome: MessageOutcome, showsValues: Bool
    ) -> (reply: String?, quarantine: String?, rejectedRecipients: [String]) {
        guard result.smtpReply != nil || result.quarantineReason != nil || !result.rejectedRecipients.isEmpty else {
            return (nil, nil, [])
        }
        let redacted = outcome.envelopeRedaction(showsValues: showsValues)
        return (
            result.smtpReply.map { redacted($0) }, result.quarantineReason.map { redacted($0) },
            result.rejectedRecipients.map { redacted("\($0.recipient.address.string) \($0.reply)") }
        )
    }

    /// A modification whole, as the `--pcap --dump` transcript writes it: `ADDHEADER name="X-Spam" value="no"`.
    package static func describe(_ reply: MilterReply) -> String { wholeText.text(of: reply) }

    private static let wholeText = TranscriptRenderer(byteExcerptLength: .max)

    private static func step(_ record: StepRecord) -> Step {
        Step(
            command: "\(record.command)", delivery: "\(record.delivery)", replies: record.replies.map { "\($0.id)" },
            durationMs: record.duration.milliseconds)
    }

    package static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
