import MailMessage
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@testable import MilterClient

/// Transactions sent again from their record (`ExchangeMemoStore`) give the results the state
/// machine gives: the same milter script, run once with the store and once without, must yield
/// the same results and findings, message by message, whatever the milter does differently on
/// the way (a verdict, a close, a timeout, a reply nobody asked for).
@Suite struct ExchangeReuseTests {
    /// What a result says, without its timings and queue ID (connection numbers differ between runs).
    struct Outcome: Equatable, CustomStringConvertible {
        var verdict: String
        var smtpReply: String?
        var modifications: [MilterReply]
        var findings: [String]
        var steps: [String]

        init(_ result: TransactionResult) {
            verdict = "\(result.verdict)"
            smtpReply = result.smtpReply
            modifications = result.modifications
            findings = result.findings.map { "\($0)" }
            steps = result.steps.map { step in
                "\(step.command) \(step.delivery) \(step.replies) \(step.smtpReply ?? "-") \(step.finding.map { "\($0)" } ?? "-")"
            }
        }

        var description: String { "\(verdict) \(smtpReply ?? "-") \(findings) \(steps)" }
    }

    struct Run: Equatable {
        var outcomes: [Outcome]
        var connectionFindings: [[String]]
        var queueIDsUnique: Bool
        /// The results' queue IDs.
        var queueIDs: Set<String> = []
        /// The queue IDs the milter got (macro `i`), whether sent through the machine or from a record.
        var queueIDsSent: Set<String> = []
        /// The events the milter got, MACRO packets left out.
        var events: [MilterCommand.ID] = []
    }

    /// `connections` connections one after the other, `perConnection` messages on each.
    static func run(
        _ script: @escaping ScriptedMilter.Script, memos: ExchangeMemoStore?,
        configuration: MilterClientConfiguration = Fixtures.configuration(), connections: Int = 3,
        perConnection: Int = 4, message: @escaping @Sendable (Int) -> MilterMessage = { _ in Fixtures.message }
    ) async throws -> Run {
        let milter = try await ScriptedMilter(script: script)
        var configuration = configuration
        configuration.buildsResultingMessage = false
        configuration.exchangeMemos = memos
        let port = milter.port
        let run = try await Driver.onThread { [configuration] in
            var outcomes: [Outcome] = []
            var findings: [[String]] = []
            var queueIDs: [String] = []
            for _ in 0..<connections {
                let connection = try BlockingMilterConnection.openAndGreet(
                    to: .inet(host: "127.0.0.1", port: port), configuration: configuration)
                for _ in 0..<perConnection {
                    let result = connection.send(message(outcomes.count))
                    outcomes.append(Outcome(result))
                    if let id = result.queueID { queueIDs.append(id) }
                }
                connection.quit { _ in }
                findings.append(connection.connectionFindings.map { "\($0)" })
            }
            return Run(
                outcomes: outcomes, connectionFindings: findings, queueIDsUnique: Set(queueIDs).count == queueIDs.count,
                queueIDs: Set(queueIDs))
        }
        await milter.stop()
        var complete = run
        complete.events = milter.eventIDs
        complete.queueIDsSent = Set(milter.macroPackets.flatMap(\.macros).filter { $0.name == "i" }.map(\.value.string))
        return complete
    }

    /// Runs `makeScript()` with and without a store and expects the same; returns the store.
    @discardableResult
    static func expectSameAsMachine(
        configuration: MilterClientConfiguration = Fixtures.configuration(),
        _ makeScript: () -> ScriptedMilter.Script
    ) async throws -> ExchangeMemoStore {
        let store = ExchangeMemoStore()
        let reused = try await run(makeScript(), memos: store, configuration: configuration)
        let judged = try await run(makeScript(), memos: nil, configuration: configuration)
        #expect(reused.outcomes.count == judged.outcomes.count)
        for (index, (mine, theirs)) in zip(reused.outcomes, judged.outcomes).enumerated() {
            #expect(mine == theirs, "message \(index + 1): from the record \(mine), by the machine \(theirs)")
        }
        #expect(reused.connectionFindings == judged.connectionFindings)
        #expect(reused.queueIDsUnique)
        // A record sent at another place on another connection carries this transaction's queue ID.
        #expect(reused.queueIDs == reused.queueIDsSent)
        return store
    }

    /// A script whose answer to the `n`-th command of a kind (counted over all connections) is `actions`.
    static func script(
        answer: MilterReply = Scripts.answer(), at n: Int, of id: MilterCommand.ID, _ actions: [ScriptedMilter.Action],
        endOfMessage: [ScriptedMilter.Action] = [.reply(.accept)]
    ) -> ScriptedMilter.Script {
        let counter = ScriptCounter()
        return Scripts.wellBehaved(answer: answer, endOfMessage: endOfMessage) { command in
            guard command.id == id, counter.increment() == n else { return nil }
            return actions
        }
    }

    @Test func aMilterThatAnswersAlikeIsAnsweredFromTheRecord() async throws {
        let store = try await Self.expectSameAsMachine { Scripts.wellBehaved() }
        // The first connection records its first message (after HELO) and its second (after a
        // transaction, whichever place it has: the count of transactions only numbers queue IDs);
        // its other two and all of the other connections' go from the record.
        #expect(store.outcomes.reused == 10)
        #expect(store.outcomes.diverged == 0)
    }

    /// Each connection ends with its last transaction's ABORT, then `helo_reset`'s with QUIT, whether its greeting
    /// and its transactions went from the record or through the machine: the record leaves the machine knowing
    /// the session had its HELO. Counted, not read in order: the connections' last frames may reach the milter
    /// after the next connection's first.
    @Test func theSessionEndsAlikeFromTheRecord() async throws {
        let store = ExchangeMemoStore()
        let reused = try await Self.run(Scripts.wellBehaved(), memos: store)
        let judged = try await Self.run(Scripts.wellBehaved(), memos: nil)
        #expect(store.greetingOutcomes.reused == 2 && store.outcomes.reused == 10)
        for run in [reused, judged] {
            // Three connections of four messages: an ABORT after each message, one more before each QUIT.
            #expect(run.events.filter { $0 == .abort }.count == 3 * 4 + 3, "\(run.events)")
            #expect(run.events.filter { $0 == .quit }.count == 3, "\(run.events)")
        }
        let order = { (events: [MilterCommand.ID]) in events.map(\.rawValue).sorted() }
        #expect(order(reused.events) == order(judged.events))
    }

    @Test func noReplyEventsAreBatchedAndReusedAlike() async throws {
        let flags: MilterProtocolFlags = [
            .noReplyConnect, .noReplyHelo, .noReplyMail, .noReplyRecipient, .noReplyData, .noReplyHeader,
            .noReplyEndOfHeaders, .noReplyBody,
        ]
        let store = try await Self.expectSameAsMachine { Scripts.wellBehaved(answer: Scripts.answer(flags: flags)) }
        #expect(store.outcomes.reused == 10)
    }

    /// NR for every event and a close at the `n`-th end of message: the finding names the commands sent without
    /// a reply before it (``Finding/sentWithoutReply``) as the machine does, though what came before was sent
    /// from a record: the 5th is the first message of the second connection, whose greeting (CONNECT and HELO,
    /// unanswered) went from its record; the 6th follows a transaction sent from its record, which ended with
    /// the ABORT Postfix sends after every message.
    @Test(arguments: [(5, "CONNECT, HELO, MAIL"), (6, "ABORT, MAIL")])
    func theCommandsSentWithoutReplyBeforeAFindingAreNamedAlike(n: Int, first: String) async throws {
        let flags: MilterProtocolFlags = [
            .noReplyConnect, .noReplyHelo, .noReplyMail, .noReplyRecipient, .noReplyData, .noReplyHeader,
            .noReplyEndOfHeaders, .noReplyBody,
        ]
        let makeScript = { Self.script(answer: Scripts.answer(flags: flags), at: n, of: .endOfMessage, [.close]) }
        let store = ExchangeMemoStore()
        let reused = try await Self.run(makeScript(), memos: store)
        let judged = try await Self.run(makeScript(), memos: nil)
        #expect(reused.outcomes == judged.outcomes)
        #expect(store.greetingOutcomes.reused >= 1)
        #expect(store.outcomes.diverged >= 1)
        let expected =
            "at BODYEOB: the milter closed the connection (sent without a reply since the milter's last one: "
            + "\(first), RCPT×2, DATA, HEADER×4, EOH, BODY)"
        for run in [reused, judged] {
            #expect(run.outcomes[n - 1].findings == [expected], "\(run.outcomes[n - 1])")
        }
    }

    @Test func theSendmailProfileIsReusedAlike() async throws {
        let store = try await Self.expectSameAsMachine(configuration: Fixtures.configuration(profile: .sendmail)) {
            Scripts.wellBehaved()
        }
        #expect(store.outcomes.reused == 10)
    }

    @Test func aDifferentVerdictAtEndOfMessageGoesBackToTheMachine() async throws {
        let store = try await Self.expectSameAsMachine { Self.script(at: 6, of: .endOfMessage, [.reply(.reject)]) }
        #expect(store.outcomes.diverged >= 1)
    }

    @Test func aRecipientRefusedMidwayGoesBackToTheMachine() async throws {
        // The 13th RCPT is the first recipient of the 7th message (two per message).
        let store = try await Self.expectSameAsMachine { Self.script(at: 13, of: .recipient, [.reply(.tempfail)]) }
        #expect(store.outcomes.diverged >= 1)
    }

    @Test func aReplyNobodyAskedForIsFoundAsTheMachineFindsIt() async throws {
        let store = try await Self.expectSameAsMachine {
            Self.script(at: 7, of: .mail, [.together([.continue, .continue])])
        }
        #expect(store.outcomes.diverged >= 1)
    }

    @Test func aCloseAtEndOfMessageIsTheMachinesFinding() async throws {
        try await Self.expectSameAsMachine { Self.script(at: 6, of: .endOfMessage, [.close]) }
    }

    /// The end of message that times out is never answered (the milter stops first): the timeout can be long
    /// enough that no other end of message, however starved the test, outlasts it. (With 3 s, and the reply 5 s
    /// late, every other end of message had to be answered within 3 s.)
    @Test func aTimeoutIsTheMachinesFinding() async throws {
        let configuration = Fixtures.configuration(endOfMessage: .seconds(10))
        try await Self.expectSameAsMachine(configuration: configuration) {
            Self.script(at: 6, of: .endOfMessage, [.waitFor(ScriptCounter(), reaching: 1)])
        }
    }

    static let addedHeader = MilterReply.addHeader(HeaderField(name: MilterString("X-Test"), value: MilterString("1")))

    /// A milter that adds a header at end of message: two replies to one write, reused alike.
    @Test func modificationsAtEndOfMessageAreReusedWhenAnsweredAlike() async throws {
        let store = try await Self.expectSameAsMachine {
            Scripts.wellBehaved(endOfMessage: [.reply(Self.addedHeader), .reply(.accept)])
        }
        #expect(store.outcomes.reused == 10)
        #expect(store.outcomes.diverged == 0)
    }

    @Test func anotherModificationGoesBackToTheMachine() async throws {
        let other = MilterReply.addHeader(HeaderField(name: MilterString("X-Test"), value: MilterString("2")))
        let store = try await Self.expectSameAsMachine {
            Self.script(
                at: 6, of: .endOfMessage, [.reply(other), .reply(.accept)],
                endOfMessage: [.reply(Self.addedHeader), .reply(.accept)])
        }
        #expect(store.outcomes.diverged >= 1)
    }

    @Test func aModificationLeftOutGoesBackToTheMachine() async throws {
        let store = try await Self.expectSameAsMachine {
            Self.script(
                at: 6, of: .endOfMessage, [.reply(.accept)], endOfMessage: [.reply(Self.addedHeader), .reply(.accept)])
        }
        #expect(store.outcomes.diverged >= 1)
    }

    /// Each reply within its wait, but the step past its deadline: the recording's waits were
    /// made when its replies came at once, so the record must not be taken. The machine, fed the
    /// replies at the instants they came, finds the deadline, as it does without the store.
    ///
    /// The first reply comes after 2 s, the second never (the milter stops first): the deadline, 15 s, and the
    /// reply timeout, 30 s, are far past what a starved test makes of the other steps and of the 2 s. (With a 3 s
    /// deadline on every step and the replies 2 s apart, a starved test found other deadlines in one run only.)
    @Test func repliesLaterThanTheRecordedWaitsAreJudgedByTheMachine() async throws {
        var configuration = Fixtures.configuration()
        configuration.timeouts = MilterTimeouts(
            connect: .seconds(30), command: .seconds(30), content: .seconds(30), endOfMessage: .seconds(30),
            stepDeadline: .seconds(15))
        let store = try await Self.expectSameAsMachine(configuration: configuration) {
            Self.script(
                at: 6, of: .endOfMessage,
                [.pause(.seconds(2)), .reply(Self.addedHeader), .waitFor(ScriptCounter(), reaching: 1)],
                endOfMessage: [.reply(Self.addedHeader), .reply(.accept)])
        }
        #expect(store.outcomes.diverged >= 1)
    }

    @Test func aFrameTapTurnsReuseOff() async throws {
        var configuration = Fixtures.configuration()
        configuration.frameTap = MilterFrameTap { _ in }
        let store = ExchangeMemoStore()
        _ = try await Self.run(Scripts.wellBehaved(), memos: store, configuration: configuration)
        #expect(store.count == 0)
        #expect(store.outcomes.reused == 0)
    }

    @Test func theConnectionsOwnStepsAreSentFromTheRecord() async throws {
        let store = try await Self.expectSameAsMachine { Scripts.wellBehaved() }
        // The first connection records OPTNEG, CONNECT and HELO; the other two send them from the record.
        #expect(store.greetingOutcomes.reused == 2)
        #expect(store.greetingOutcomes.diverged == 0)
    }

    @Test func anotherNegotiationGoesBackToTheMachine() async throws {
        // Fewer actions: the same replies follow, but the machine must judge them with this agreement.
        let other = Scripts.answer(actions: [.addHeaders, .changeHeaders])
        let store = try await Self.expectSameAsMachine {
            Self.script(at: 2, of: .optionNegotiation, [.reply(other)])
        }
        #expect(store.greetingOutcomes.diverged == 1)
    }

    @Test func aRefusalAtConnectGoesBackToTheMachine() async throws {
        let store = try await Self.expectSameAsMachine { Self.script(at: 2, of: .connect, [.reply(.reject)]) }
        #expect(store.greetingOutcomes.diverged == 1)
        #expect(store.greetingOutcomes.reused == 1)
    }

    /// HELO answered as recorded, then once more: the greeting is as recorded, and the reply
    /// nobody asked for is found before MAIL, as the machine finds it.
    @Test func aReplyNobodyAskedForAfterHeloIsFoundBeforeMail() async throws {
        let store = try await Self.expectSameAsMachine {
            Self.script(at: 3, of: .helo, [.together([.continue, .continue])])
        }
        #expect(store.greetingOutcomes.reused == 2)
    }

    @Test func aCloseAtHeloIsTheMachinesFinding() async throws {
        let store = try await Self.expectSameAsMachine { Self.script(at: 2, of: .helo, [.close]) }
        #expect(store.greetingOutcomes.diverged == 1)
    }

    /// Records are found by the state a connection stands in, not by the messages that brought it
    /// there: a connection that sent A then B stands where one that sent B then A does.
    @Test func connectionsInTheSameStateShareRecordsWhateverTheySentBefore() async throws {
        let other: MilterMessage = {
            var message = Fixtures.message
            message.headerFields.append(RawHeaderField(name: "X-Other", value: " yes"))
            return message
        }()
        // Per connection, which of the two messages goes at each of the four places.
        let orders: [[Bool]] = [[false, true, false, true], [true, false, true, false], [false, false, true, true]]
        let pick: @Sendable (Int) -> MilterMessage = { index in
            orders[index / 4][index % 4] ? other : Fixtures.message
        }
        let store = ExchangeMemoStore()
        let reused = try await Self.run(Scripts.wellBehaved(), memos: store, message: pick)
        let judged = try await Self.run(Scripts.wellBehaved(), memos: nil, message: pick)
        #expect(reused.outcomes == judged.outcomes)
        // Two states: after HELO, and after any transaction. The first connection records its three
        // first messages, the second its first; the other eight are found (a history-keyed store
        // would find only the third connection's first).
        #expect(store.outcomes.reused == 8)
        #expect(store.outcomes.diverged == 0)
    }

    /// A different message each time: no history repeats, and the store turns itself off after its
    /// trial lookups, with the same results as the machine alone.
    @Test func aStoreThatFindsLittleTurnsItselfOff() async throws {
        let distinct: @Sendable (Int) -> MilterMessage = { index in
            var message = Fixtures.message
            message.headerFields.append(RawHeaderField(name: "X-Index", value: " \(index)"))
            return message
        }
        let store = ExchangeMemoStore(capacity: 1024, trialLookups: 4)
        let reused = try await Self.run(Scripts.wellBehaved(), memos: store, message: distinct)
        let judged = try await Self.run(Scripts.wellBehaved(), memos: nil, message: distinct)
        #expect(reused.outcomes == judged.outcomes)
        #expect(store.isOff)
        #expect(store.count == 0)
        #expect(store.outcomes.reused == 0)
    }

    /// A field added to the machine must be hashed into the state digest, or said to be decided
    /// before the transactions or empty between them.
    @Test func everyFieldOfTheMachineIsHashedOrSaidWhyNot() {
        let machine = MTAConnectionStateMachine(configuration: Fixtures.configuration(), client: SMTPClient())
        let fields = Set(Mirror(reflecting: machine).children.compactMap(\.label))
        let classified = MTAConnectionStateMachine.fieldsHashedBetweenTransactions
            .union(MTAConnectionStateMachine.fieldsDecidedBefore)
            .union(MTAConnectionStateMachine.fieldsEmptyBetweenTransactions)
            .union(MTAConnectionStateMachine.fieldsCountedBetweenTransactions)
        #expect(fields == classified)
    }

    @Test func onlyTheQueueIDMacroIsPatched() {
        let id = Array("4000010000A".utf8)
        var frames = ByteBuffer()
        try! frames.writeMilterCommand(
            .macro(
                MacroDefinition(
                    stage: .header,
                    macros: [
                        .init(name: MilterString("j"), value: MilterString("4000010000A")),
                        .init(name: MilterString("i"), value: MilterString("4000010000A")),
                    ])))
        try! frames.writeMilterCommand(
            .header(HeaderField(name: MilterString("X-Queue"), value: MilterString("4000010000A"))))
        try! frames.writeMilterCommand(
            .macro(
                MacroDefinition(
                    stage: .endOfMessage, macros: [.init(name: MilterString("{i}"), value: MilterString("4000010000A"))]
                )))
        let ranges = QueueIDRanges.find(id, in: frames)
        #expect(ranges.count == 2)
        let bytes = Array(frames.readableBytesView)
        for range in ranges { #expect(Array(bytes[range]) == id) }
        // The `j` value and the header value stay unmasked: both come before the ranges found or after the first.
        let jValue = bytes.firstRange(of: id)!
        #expect(!ranges.contains(jValue))
    }
}
