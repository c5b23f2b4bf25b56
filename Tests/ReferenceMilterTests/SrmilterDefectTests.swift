import Dispatch
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import ReferenceMilter

/// One test per srmilter defect named in the issue.
@Suite(.timingSensitive) struct SrmilterDefectTests {
    @Test func doubleReply_discardIsNotFollowedByAccept() async throws {
        let milter = try await startMilter()
        let mta = try await TestMTA.connect(to: milter)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        #expect(try await mta.message(Cmd.message(subject: "[discard]")) == [.discard])
        // Nothing follows the DISCARD: replies come in order, so a stray ACCEPT would be the first
        // reply to the next message, ahead of that message's own verdict. No clock involved.
        let next = try await mta.message([.abort] + Cmd.message(subject: "x [reject]"))
        #expect(next == [.replyCode("550 5.7.1 rejected by subject rule")])
        await mta.close()
        await milter.shutdown()
    }

    @Test(arguments: [MilterCommand.ID.connect, .helo, .data, .unknown, .quitNewConnection])
    func crashes_commandsThatKilledSrmilterAreHandled(id: MilterCommand.ID) async throws {
        let commands: [MilterCommand.ID: MilterCommand] = [
            .connect: Cmd.connect, .helo: Cmd.helo, .data: .data, .unknown: .unknown("VRFY root"),
            .quitNewConnection: .quitNewConnection,
        ]
        let milter = try await startMilter()
        // Out of order, before OPTNEG: refused with a closed connection, not a crash.
        let early = try await TestMTA.connect(to: milter)
        try await early.send([commands[id]!])
        #expect(try await early.isClosed())
        // In order, on an MTA that sends everything (version 4 offers no NO/NR bits for them).
        let mta = try await TestMTA.connect(to: milter)
        try await mta.negotiate(OptionNegotiation(version: .v6, actions: .all, protocolFlags: []))
        try await mta.send([Cmd.connect])
        #expect(try await mta.step() == [.continue])
        try await mta.send([
            Cmd.helo, .unknown("VRFY root"), Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org"), .data,
        ])
        for _ in 0..<5 { #expect(try await mta.step() == [.continue]) }
        try await mta.send([.quitNewConnection, Cmd.connect])
        #expect(try await mta.step() == [.continue])
        await mta.close()
        await milter.shutdown()
    }

    @Test func lostCapacity_thousandFailuresThenFullConcurrency() async throws {
        let threads = 4
        let barrier = Barrier(parties: threads)
        let milter = try await startMilter(FailingThenBarrier(barrier: barrier)) {
            $0.threads = threads
            $0.classifierTimeout = .milliseconds(200)
        }
        let mtas = try await negotiatedMTAs(threads, milter)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (connection, mta) in mtas.enumerated() {
                group.addTask {
                    for index in 0..<250 {
                        // Every tenth failure is a timeout (a classifier blocking its thread), the rest throw.
                        let kind = (index + connection) % 10 == 0 ? "hang" : "throw"
                        let replies = try await mta.message(Cmd.message(subject: kind) + [.abort])
                        #expect(replies == [.replyCode("451 4.3.0 Try again later")])
                    }
                }
            }
            try await group.waitForAll()
        }
        // Timed-out classifiers keep their slot until they really return; then every slot is free.
        try await waitUntil { milter.server.classificationSlotsFree == threads }
        // Full concurrency: all `threads` classifications must be inside the classifier at once. The barrier holds
        // each until all have arrived, past the classifier timeout (whose tempfail the MTA gets meanwhile): a slot
        // lost would keep the last one out. (Let go at the timeout, four messages sent by a test starved between
        // them did not meet inside 200 ms.)
        let verdicts = try await withThrowingTaskGroup(of: [MilterReply].self) { group in
            for mta in mtas { group.addTask { try await mta.message(Cmd.message(subject: "barrier")) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await waitUntil { barrier.allArrived }
        let tempfail: [MilterReply] = [.replyCode("451 4.3.0 Try again later")]
        #expect(verdicts.allSatisfy { $0 == [.accept] || $0 == tempfail }, "\(verdicts)")
        for mta in mtas { await mta.close() }
        await milter.shutdown()
    }

    private func negotiatedMTAs(_ count: Int, _ milter: EmbeddedMilter) async throws -> [TestMTA] {
        var mtas: [TestMTA] = []
        for _ in 0..<count {
            let mta = try await TestMTA.connect(to: milter)
            try await mta.negotiate()
            try await mta.send([Cmd.connect, Cmd.helo])
            mtas.append(mta)
        }
        return mtas
    }

    @Test func noTimeouts_silentMTAIsDisconnectedBetweenMessages() async throws {
        let milter = try await startMilter {
            $0.timeouts = ConnectionTimeouts(idle: .milliseconds(100), read: .seconds(600))
        }
        let idle = try await TestMTA.connect(to: milter)
        #expect(try await idle.isClosed())
        await milter.shutdown()
    }

    @Test func noTimeouts_silentMTAIsDisconnectedInsideAMessage() async throws {
        let milter = try await startMilter {
            $0.timeouts = ConnectionTimeouts(idle: .seconds(600), read: .milliseconds(100))
        }
        let inside = try await TestMTA.connect(to: milter)
        try await inside.negotiate()
        try await inside.send([Cmd.connect, Cmd.helo])
        // Longer than the read timeout, which does not apply between messages, but the watchdog's
        // first look finds no message: it must still look again within the read timeout.
        try await Task.sleep(for: .milliseconds(300))
        try await inside.send([Cmd.mail("a@example.com")])
        #expect(try await inside.isClosed())
        await milter.shutdown()
    }

    @Test func noTimeouts_slowClassifierYieldsTempfailAndTheConnectionGoesOn() async throws {
        let milter = try await startMilter(MisbehavingClassifier(hang: .milliseconds(200))) {
            $0.classifierTimeout = .milliseconds(50)
        }
        let mta = try await TestMTA.connect(to: milter)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        #expect(try await mta.message(Cmd.message(subject: "hang")) == [.replyCode("451 4.3.0 Try again later")])
        // The blocked classifier holds its slot until it returns; then the same connection is served again.
        try await waitUntil { milter.server.classificationSlotsFree == 1 }
        #expect(try await mta.message([.abort] + Cmd.message(subject: "fine")) == [.accept])
        await mta.close()
        await milter.shutdown()
    }

    @Test func noTimeouts_shutdownDoesNotHangInAcceptOrOnIdleConnections() async throws {
        let milter = try await startMilter { $0.drainTimeout = .milliseconds(100) }
        let mta = try await TestMTA.connect(to: milter)
        try await mta.negotiate()
        await milter.shutdown()
        #expect(try await mta.isClosed())
        #expect(milter.server.connectionCount == 0)
    }

    @Test func underflow_headersLargerThanTruncateLeaveAnEmptyBody() throws {
        var driver = SessionDriver(options: ProtocolOptions(truncate: 20))
        try driver.feed(
            [
                Cmd.offer, Cmd.connect, Cmd.helo, Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org"),
                Cmd.header("Subject", String(repeating: "s", count: 100)), Cmd.body("body"), Cmd.eom,
            ])
        let mail = try #require(driver.classified.first)
        #expect(mail.body.isEmpty)
        #expect(mail.isBodyTruncated)
        #expect(mail.subject.count == 100)  // the header fields are kept whole
    }

    @Test func lostMacros_heloMacrosSurviveMessagesAndRecipientsKeepTheirOwn() throws {
        var driver = SessionDriver()
        try driver.feed([Cmd.offer, Cmd.macros(.connect, ["j": "mx"]), Cmd.connect])
        try driver.feed([Cmd.macros(.helo, ["{tls_version}": "TLSv1.3"]), Cmd.helo])
        try driver.feed(Cmd.message(subject: "one", recipients: ["a@example.org", "b@example.org"]) + [.abort])
        try driver.feed(Cmd.message(subject: "two", queueID: "Q2") + [.abort])
        #expect(driver.classified.map { $0.macros["tls_version"] } == ["TLSv1.3", "TLSv1.3"])
        #expect(driver.classified.map { $0.macros["j"] } == ["mx", "mx"])
        #expect(driver.classified.map(\.queueID) == ["Q1", "Q2"])
        #expect(driver.classified[0].recipients.map { $0.macros["rcpt_addr"] } == ["a@example.org", "b@example.org"])
        // Transaction macros do not leak into the next message.
        #expect(driver.classified[1].recipients.map { $0.macros["rcpt_addr"] } == ["bob@example.org"])
    }
}

/// "throw" throws, "hang" blocks past the timeout, "barrier" waits for its peers.
struct FailingThenBarrier: MailClassifier {
    let barrier: Barrier

    func classify(_ mail: MailInfo) async throws -> Decision {
        if mail.subject == "barrier" {
            return await barrier.arrive() ? .accept("together") : .reject("alone", client: "starved")
        }
        return try await MisbehavingClassifier(hang: .milliseconds(20)).classify(mail)
    }
}

/// Lets `parties` callers through once all have arrived, whether or not they were cancelled meanwhile (a
/// classifier past its timeout keeps its slot until it returns); lets them go with false after `patience` without
/// all of them.
final class Barrier: Sendable {
    private struct State {
        var arrived = 0
        var waiting: [CheckedContinuation<Bool, Never>] = []
    }

    private let state = NIOLockedValueBox(State())
    let parties: Int
    let patience: Duration

    init(parties: Int, patience: Duration = .seconds(60)) {
        self.parties = parties
        self.patience = patience
    }

    /// Whether all `parties` have arrived.
    var allArrived: Bool { state.withLockedValue { $0.arrived >= parties } }

    /// Waits until all `parties` have arrived (true), or `patience` has passed (false).
    func arrive() async -> Bool {
        await withCheckedContinuation { continuation in
            let released = state.withLockedValue { state -> [CheckedContinuation<Bool, Never>] in
                state.arrived += 1
                guard state.arrived >= parties else {
                    state.waiting.append(continuation)
                    return []
                }
                defer { state.waiting = [] }
                return state.waiting + [continuation]
            }
            for waiter in released { waiter.resume(returning: true) }
            guard released.isEmpty else { return }
            let (seconds, attoseconds) = patience.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [state] in
                let late = state.withLockedValue { state in
                    defer { state.waiting = [] }
                    return state.waiting
                }
                for waiter in late { waiter.resume(returning: false) }
            }
        }
    }
}
