import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@testable import MilterClient

/// A milter that refuses or dies on a command it negotiated no reply for (an NR flag) is found only at the
/// next step that awaits a reply: the finding names that step, and the commands that went before it
/// unanswered since the milter's last reply (``Finding/sentWithoutReply``), so that the step is not blamed
/// alone.
@Suite struct SentWithoutReplyTests {
    typealias Run = Finding.SentWithoutReply.Run

    /// Every event but end of message without a reply.
    static let allNoReply: MilterProtocolFlags = [
        .noReplyConnect, .noReplyHelo, .noReplyMail, .noReplyRecipient, .noReplyData, .noReplyHeader,
        .noReplyEndOfHeaders, .noReplyBody,
    ]

    /// A real milter on a socket that negotiates NR for HELO and closes the connection on HELO: the client
    /// finds it at MAIL, the next step that awaits a reply, and the finding names HELO.
    @Test(arguments: Driver.allCases)
    func aMilterThatClosesOnHeloWithoutReplyIsFoundAtMailNamingHelo(driver: Driver) async throws {
        let script = Scripts.wellBehaved(answer: Scripts.answer(flags: [.noReplyHelo])) { command in
            command.id == .helo ? [.close] : nil
        }
        let (result, milter, _) = try await Fixtures.run(script, driver: driver)
        #expect(milter.eventIDs.contains(.helo))
        let finding = try #require(result.findings.first)
        #expect(finding.step == .mail)
        #expect(["eof", "ioError"].contains(finding.code), "\(finding)")
        #expect(finding.sentWithoutReply == Finding.SentWithoutReply([Run(command: .helo)]))
        #expect("\(finding)".hasSuffix(" (sent without a reply since the milter's last one: HELO)"), "\(finding)")
        #expect(result.verdict == .tempfail)
    }

    /// NR for every event: a milter that closes on EOH is found at end of message, and every command of the
    /// session went before it unanswered, repeats counted.
    @Test func everyCommandSinceTheLastReplyIsNamedInOrder() throws {
        let script = Scripts.wellBehaved(answer: Scripts.answer(flags: Self.allNoReply)) { command in
            command.id == .endOfHeaders ? [.close] : nil
        }
        let (result, _, _) = Fixtures.simulateRun(script)
        let finding = try #require(result.findings.first)
        #expect(finding.code == "eof")
        #expect(finding.step == .endOfMessage)
        #expect(
            finding.sentWithoutReply.runs == [
                Run(command: .connect), Run(command: .helo), Run(command: .mail), Run(command: .recipient, count: 2),
                Run(command: .data), Run(command: .header, count: 4), Run(command: .endOfHeaders),
                Run(command: .body),
            ])
        #expect(
            "\(finding)"
                == "at BODYEOB: the milter closed the connection (sent without a reply since the milter's last one: "
                + "CONNECT, HELO, MAIL, RCPT×2, DATA, HEADER×4, EOH, BODY)")
    }

    /// A reply read starts the list again: MAIL's CONTINUE leaves HELO out of a finding at HEADER.
    @Test func aReplyStartsTheListAgain() throws {
        let flags: MilterProtocolFlags = [.noReplyHelo, .noReplyRecipient, .noReplyData]
        let script = Scripts.wellBehaved(answer: Scripts.answer(flags: flags)) { command in
            command.id == .data ? [.close] : nil
        }
        let (result, _, _) = Fixtures.simulateRun(script)
        let finding = try #require(result.findings.first)
        #expect(finding.step == .header)
        #expect(finding.sentWithoutReply.runs == [Run(command: .recipient, count: 2), Run(command: .data)])
    }

    /// A milter that stops answering after a HELO without reply: the timeout at MAIL names HELO too.
    @Test func aTimeoutNamesTheCommandsBeforeIt() throws {
        let script = Scripts.wellBehaved(answer: Scripts.answer(flags: [.noReplyHelo])) { command in
            command.id == .helo ? [.pause(.seconds(3600))] : nil
        }
        let (result, _, _) = Fixtures.simulateRun(script)
        let finding = try #require(result.findings.first)
        #expect(finding.code == "timeout")
        #expect(finding.step == .mail)
        #expect(finding.sentWithoutReply.runs == [Run(command: .helo)])
    }

    /// Commands that were answered leave a finding's words as they were.
    @Test func aMilterThatAnswersEveryStepAddsNothing() throws {
        let script = Scripts.wellBehaved { command in command.id == .data ? [.close] : nil }
        let (result, _, _) = Fixtures.simulateRun(script)
        let finding = try #require(result.findings.first)
        #expect(finding.sentWithoutReply.isEmpty)
        #expect("\(finding)" == "at DATA: the milter closed the connection")
    }

    /// The first runs are kept (the milter most likely stopped at one of them); the rest are counted.
    @Test func theListKeepsItsFirstRunsAndCountsTheRest() {
        var list = Finding.SentWithoutReply()
        for index in 0..<(Finding.SentWithoutReply.maximumRuns + 3) {
            list.append(index.isMultiple(of: 2) ? .abort : .mail)
        }
        list.append(.mail)
        list.append(.mail)
        #expect(list.runs.count == Finding.SentWithoutReply.maximumRuns)
        #expect(list.unlisted == 5)
        #expect(list.description.hasPrefix("ABORT, MAIL, ABORT"))
        #expect(list.description.hasSuffix("ABORT, MAIL, and 5 more"))
        list.removeAll()
        #expect(list.isEmpty && list.unlisted == 0)
        list.append(.helo)
        list.append(.helo)
        #expect(list.description == "HELO×2")
    }
}
