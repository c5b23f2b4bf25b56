import Logging
import MetricsTestKit
import MilterProtocol
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import ReferenceMilter

/// The warning logged when a transaction goes over the memory budget names the message's queue id
/// (macro `i`) when the MTA has sent one, as the decision line and the other per-message lines do.
@Suite struct BudgetWarningTests {
    /// The warnings a connection logs, as the daemon writes them (text format).
    final class Lines: Sendable {
        private let box = NIOLockedValueBox<[String]>([])
        private let level: Logger.Level

        init(level: Logger.Level = .warning) { self.level = level }

        var all: [String] { box.withLockedValue { $0 } }

        var logger: Logger {
            let handler = OperatorLogHandler(
                label: "test", level: level, format: .text, clock: nil,
                output: { text in self.box.withLockedValue { $0.append(text) } })
            return Logger(label: "test", factory: { _ in handler })
        }

        func budgetWarning() throws -> String {
            try #require(all.first { $0.contains("memory budget reached") }, "\(all)")
        }
    }

    static let opening: [MilterCommand] = HostilePeerTests.opening + [Cmd.mail("a@example.com")]
    /// 300 fields of about 1 KB: over the 256 KiB budget.
    static let manyFields = Array(
        repeating: Cmd.header("X-Filler", String(repeating: "v", count: 1_000)), count: 300)

    /// Postfix sends `i` with RCPT's macros: header fields past the budget name it.
    @Test func theWarningNamesTheQueueIDSentEarlier() async throws {
        let lines = Lines()
        let connection = try await HostilePeerTests.Connection(logger: lines.logger)
        try await connection.send(
            Self.opening + [Cmd.macros(.recipient, ["i": "4QUEUEID1"]), Cmd.rcpt("b@example.org"), .data]
                + Self.manyFields + [.endOfHeaders, Cmd.eom])
        #expect(try await connection.verdict() == .tempfail)
        #expect(try lines.budgetWarning().contains(" queue-id=4QUEUEID1"), "\(lines.all)")
        try await connection.finish()
    }

    /// The MACRO packet that goes over the budget is not kept, but its `i` still names the message.
    @Test func theWarningNamesTheQueueIDOfTheMacrosThatWentOver() async throws {
        let lines = Lines()
        let connection = try await HostilePeerTests.Connection(logger: lines.logger)
        // 200 fields of about 1 KB fit in the budget; 60 KB of macros more do not.
        let fields = Array(Self.manyFields.prefix(200))
        let oversized = Cmd.macros(.header, ["i": "4QUEUEID2", "{x}": String(repeating: "m", count: 60_000)])
        try await connection.send(Self.opening + [Cmd.rcpt("b@example.org"), .data] + fields)
        #expect(lines.all.isEmpty, "\(lines.all)")
        try await connection.send([oversized, Cmd.header("Subject", "x"), .endOfHeaders, Cmd.eom])
        #expect(try await connection.verdict() == .tempfail)
        #expect(try lines.budgetWarning().contains(" queue-id=4QUEUEID2"), "\(lines.all)")
        try await connection.finish()
    }

    /// Postfix sends MACRO packets at the end of the headers and of the message too; in a transaction over
    /// budget they do not fit either. One warning for the transaction (it was logged once per packet that
    /// did not fit: three times), and its decision line, as for every message.
    @Test func oneWarningAndOneDecisionLinePerTransaction() async throws {
        let lines = Lines(level: .info)
        let connection = try await HostilePeerTests.Connection(logger: lines.logger)
        let large = String(repeating: "m", count: 4_000)
        try await connection.send(
            Self.opening + [Cmd.macros(.recipient, ["i": "4QUEUEID4"]), Cmd.rcpt("b@example.org"), .data]
                + Self.manyFields
                + [
                    Cmd.macros(.endOfHeaders, ["{x}": large]), .endOfHeaders,
                    Cmd.macros(.endOfMessage, ["i": "4QUEUEID4", "{y}": large]), Cmd.eom,
                ])
        #expect(try await connection.verdict() == .tempfail)
        let warnings = lines.all.filter { $0.contains("memory budget reached: the transaction gets a tempfail") }
        #expect(warnings.count == 1, "\(lines.all)")
        let decisions = lines.all.filter { $0.contains("4QUEUEID4: TEMPFAIL (memory budget reached") }
        #expect(decisions.count == 1, "\(lines.all)")
        try await connection.finish()
    }

    /// The budget's tempfail is told as a classified message's verdict is: counted in `milter_messages_total`
    /// (and in `milter_memory_budget_tempfails_total`) and passed to the observer, with the queue id of the
    /// decision line. Neither saw it.
    @Test func theTempfailIsCountedAndObserved() async throws {
        let metrics = TestMetrics()
        let observed = NIOLockedValueBox<[(MailInfo, Decision)]>([])
        let connection = try await HostilePeerTests.Connection(
            metrics: ServerMetrics(factory: metrics),
            observer: { mail, decision in observed.withLockedValue { $0.append((mail, decision)) } })
        // The queue id comes in the MACRO packet that goes over the budget, which is not kept.
        let oversized = Cmd.macros(.header, ["i": "4QUEUEID5", "{x}": String(repeating: "m", count: 60_000)])
        try await connection.send(
            Self.opening + [Cmd.rcpt("b@example.org"), .data] + Array(Self.manyFields.prefix(200))
                + [oversized, .endOfHeaders, Cmd.eom])
        #expect(try await connection.verdict() == .tempfail)
        // Then a message within the budget, classified.
        try await connection.send(
            [.abort, Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org"), .data, Cmd.header("Subject", "hi")]
                + [.endOfHeaders, Cmd.eom])
        #expect(try await connection.verdict() == .accept)
        try await connection.finish()

        let tempfails = try metrics.expectCounter("milter_messages_total", [("verdict", "tempfail")])
        #expect(tempfails.totalValue == 1)
        #expect(try metrics.expectCounter("milter_messages_total", [("verdict", "accept")]).totalValue == 1)
        #expect(try metrics.expectCounter("milter_memory_budget_tempfails_total").totalValue == 1)
        let seen = observed.withLockedValue { $0 }
        #expect(seen.map(\.1.verdict) == [.tempfail(nil), .accept], "\(seen.map(\.1))")
        let (mail, decision) = try #require(seen.first)
        #expect(decision.reason == "memory budget reached" && decision.isMemoryBudgetRefusal)
        #expect(mail.queueID == "4QUEUEID5")
        #expect(mail.senderAddress == "a@example.com" && mail.recipientAddresses == ["b@example.org"])
        #expect(mail.headerFields.isEmpty && mail.body.isEmpty && mail.isBodyTruncated)
    }

    /// No `i` yet: the warning has no queue id rather than a made-up one.
    @Test func withoutAQueueIDTheWarningHasNone() async throws {
        let lines = Lines()
        let connection = try await HostilePeerTests.Connection(logger: lines.logger)
        try await connection.send(
            Self.opening + [Cmd.rcpt("b@example.org"), .data] + Self.manyFields + [.endOfHeaders, Cmd.eom])
        #expect(try await connection.verdict() == .tempfail)
        let warning = try lines.budgetWarning()
        #expect(warning.contains(" budget=\(HostilePeerTests.budget)"), "\(warning)")
        #expect(!warning.contains("queue-id"), "\(warning)")
        try await connection.finish()
    }
}
