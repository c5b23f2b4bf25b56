import MilterCapture
import MilterClient
import MilterProtocol
import _MilterSystem

/// The human-readable output: a line per message, then the summary.
package enum TextReport {
    /// Modifications as the `--pcap --dump` transcript shows them, values shortened to fit a row.
    private static let modificationText = TranscriptRenderer(byteExcerptLength: 24, textExcerptLength: 40)

    /// The most modifications a row shows; the rest are counted (`… and 70 more modifications`). A milter may send
    /// thousands (10,000 are kept), which made one row a megabyte long; `--json` lists every one.
    static let maximumModificationsShown = 50

    /// `path  verdict  "reply"  MODIFICATION, ...  1.23 ms  id QUEUEID`, then mismatch and findings (``label(_:)``).
    /// The envelope addresses in the reply and the quarantine reason are redacted unless `showsValues`.
    static func line(_ outcome: MessageOutcome, showsValues: Bool = false) -> String {
        if let error = outcome.error { return oneLine("\(outcome.entry.path)  error  \(error)") }
        guard let result = outcome.result else { return oneLine(outcome.entry.path) }
        var parts = [outcome.entry.path, result.verdict.rawValue]
        if result.smtpReply != nil || result.quarantineReason != nil {
            let redacted = outcome.envelopeRedaction(showsValues: showsValues)
            if let reply = result.smtpReply { parts.append("\"\(redacted(reply))\"") }
            if let reason = result.quarantineReason { parts.append("quarantine=\"\(redacted(reason))\"") }
        }
        if !result.modifications.isEmpty { parts.append(modifications(result.modifications)) }
        parts.append(String(format3: outcome.latency.milliseconds) + " ms")
        if let queueID = result.queueID { parts.append("id \(queueID)") }
        if outcome.isMismatch { parts.append("MISMATCH expected \(outcome.entry.expected!.rawValue)") }
        for failure in outcome.expectationFailures { parts.append("MISMATCH \(failure)") }
        for finding in outcome.findings {
            // The finding's words start with its step (`at OPTNEG: no reply within 30 s`).
            parts.append("\(label(finding)) \(finding.code) \(finding)")
        }
        return oneLine(parts.joined(separator: "  "))
    }

    /// The first ``maximumModificationsShown`` modifications, then how many more there are.
    private static func modifications(_ modifications: [MilterReply]) -> String {
        var shown = modifications.prefix(maximumModificationsShown).map { modificationText.text(of: $0) }
        let more = modifications.count - shown.count
        if more > 0 { shown.append("… and \(more) more modification\(more == 1 ? "" : "s")") }
        return shown.joined(separator: ", ")
    }

    /// `text` on one line for a terminal: control characters escaped, line feeds too (a multi-line REPLYCODE's
    /// `\r\n` reads `\r\n`).
    private static func oneLine(_ text: String) -> String {
        TerminalText.escapingControls(text, keepingLineFeeds: false)
    }

    /// `FINDING`, or `WARNING` for a rule broken that the MTA lets go (``Finding/Severity/warning``):
    /// both count as findings and fail the run, but only an error makes the MTA give up on the milter.
    static func label(_ finding: Finding) -> String { finding.severity == .warning ? "WARNING" : "FINDING" }

    /// The message after the milter, indented under its line; control characters escaped (`\x1B`).
    static func message(_ outcome: MessageOutcome) -> String? {
        guard let message = outcome.result?.resultingMessage else { return nil }
        var text = "    MAIL FROM:\(message.sender)\(message.senderArguments.map { " " + $0 } ?? "")\n"
        for recipient in message.recipients { text += "    RCPT TO:\(recipient)\n" }
        let rendered = String(decoding: message.rendered, as: UTF8.self)
        for line in rendered.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast() {
            text += "    | \(line)\n"
        }
        return TerminalText.escapingControls(text)
    }

    /// `interrupted by SIGINT: 120 messages not sent`.
    package static func messagesLine(_ interrupted: Interrupted) -> String {
        interrupted.line(unit: "messages", notDone: "not sent", uncounted: "the rest of the duration was not run")
    }

    /// The summary block.
    package static func summary(_ summary: RunSummary, seconds: Double) -> String {
        let verdicts = Disposition.allCases.compactMap { verdict in
            summary.verdicts[verdict].map { "\(verdict.rawValue) \($0)" }
        }
        var lines = [
            "",
            "messages: \(summary.messages)" + (verdicts.isEmpty ? "" : "  (\(verdicts.joined(separator: ", ")))"),
            "findings: \(summary.findingCount)"
                + (summary.findings.isEmpty
                    ? ""
                    : "  ("
                        + summary.findings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                        .joined(separator: ", ") + ")"),
            "mismatches: \(summary.mismatches.count)",
        ]
        lines += summary.mismatches.map { "  \($0)" }
        if summary.connectFailures > 0 {
            lines.append("connection failures: \(summary.connectFailures)")
            lines += summary.connectFailuresByReason.sorted { $0.key < $1.key }.map { "  \($0.value)  \($0.key)" }
        }
        if summary.inputErrors > 0 { lines.append("input errors: \(summary.inputErrors)") }
        if let unreachable = summary.unreachable { lines.append("milter not reached: \(unreachable)") }
        if let interrupted = summary.interrupted { lines.append(messagesLine(interrupted)) }
        let rate = seconds > 0 ? Double(summary.messages) / seconds : 0
        lines.append("throughput: \(String(format3: rate)) messages/s over \(String(format3: seconds)) s")
        if let pacing = summary.pacing { lines.append(paced(pacing)) }
        // Nothing sent from a record (a few messages, each once): no line of zeros.
        if let reuse = summary.exchangeReuse, reuse.transactionsReused + reuse.greetingsReused > 0 {
            lines.append(reused(reuse))
        }
        let percentiles = [50.0, 90, 99].map {
            "p\(Int($0)) \(String(format3: summary.latencyMilliseconds(percentile: $0)))"
        }
        lines.append(
            "latency ms: \(percentiles.joined(separator: "  "))  max \(String(format3: summary.maximumLatencyMilliseconds))"
        )
        return lines.joined(separator: "\n")
    }
}

extension TextReport {
    /// `sent from a record: 19990 transactions, 3999 connections' own steps (10 and 1 answered otherwise, judged by the state machine)`.
    static func reused(_ reuse: ExchangeReuseCounts) -> String { "sent from a record: " + reusedCounts(reuse) }

    /// ``reused(_:)`` without its label, for the HTML report's facts.
    static func reusedCounts(_ reuse: ExchangeReuseCounts) -> String {
        "\(reuse.transactionsReused) transactions, \(reuse.greetingsReused) connections' own steps "
            + "(\(reuse.transactionsDiverged) and \(reuse.greetingsDiverged) answered otherwise, judged by the state machine)"
    }

    /// `rate: requested 500.000/s, started 499.800/s, 3 started late (most 2.100 ms)`.
    static func paced(_ pacing: Pacing) -> String {
        "rate: requested \(String(format3: pacing.requestedRate))/s, started \(String(format3: pacing.achievedRate))/s, "
            + "\(pacing.lateStarts) started late (most \(String(format3: pacing.maximumLag.milliseconds)) ms)"
            + (pacing.notStarted > 0 ? ", \(pacing.notStarted) due never started" : "")
            + (pacing.keptUp ? "" : "  NOT KEPT UP")
    }

    /// The warning of a run that could not keep its schedule.
    package static func fellBehind(_ pacing: Pacing) -> String {
        "could not keep the requested rate: started \(String(format3: pacing.achievedRate)) of "
            + "\(String(format3: pacing.requestedRate)) messages/s, \(pacing.lateStarts) of \(pacing.started) late by "
            + "up to \(String(format3: pacing.maximumLag.milliseconds)) ms"
            + (pacing.notStarted > 0 ? ", \(pacing.notStarted) due never started" : "")
            + ". Latencies count from each message's "
            + "intended start, so they include that wait; more --connections help if every connection was busy."
    }
}

extension String {
    /// A number with three decimals, without Foundation's formatter.
    init(format3 value: Double) {
        let scaled = (value * 1000).rounded()
        guard scaled.isFinite else {
            self = "0.000"
            return
        }
        let integer = Int64(scaled)
        let fraction = abs(integer % 1000)
        let digits = String(fraction)
        self = "\(integer / 1000).\(String(repeating: "0", count: 3 - digits.count))\(digits)"
    }
}
