import MilterCapture
import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import MilterReplayKit

/// A recorded session replayed again (`--pcap --repeat`) is sent from its first replay's recording
/// (``SessionMemos``) and must come out as the state machine makes it: the same sessions, replayed
/// round after round once with the memos and once without, give the same comparisons, and the
/// milter gets the same commands (counted by kind: a connection's last frames may reach the milter
/// after the next connection's first), whatever it does differently on the way (another verdict, a
/// close, a timeout, a reply nobody asked for, modifications).
@Suite(.timeLimit(.minutes(2))) struct SessionReuseTests {
    /// Three sessions of the Postfix load capture (several messages each, ABORT then QUIT at the end).
    static func scripts() throws -> [ReplayScript] {
        let path = ReplayBinary.fixture("pcap/postfix-load-cmilter.pcap")
        let all = try ScriptReader.loadAll(path: path, options: MilterExtractionOptions())
        return try all.prefix(3).map { try $0.get() }
    }

    /// What a comparison says, in one line.
    static func summary(_ comparison: SessionComparison) -> String {
        let differences = comparison.differences.map { "\($0.steps) \($0.command) \($0.recorded) -> \($0.now)" }
        return "compared \(comparison.compared) gap \(comparison.gap ?? "-") \(differences) \(comparison.allNotes)"
    }

    struct Run {
        /// One line per session replayed, round after round.
        var comparisons: [String]
        /// How many commands of each kind the milter got, MACRO packets left out.
        var events: [String: Int]
    }

    /// Replays `scripts` `rounds` times, one session after the other, against a milter running `script`.
    static func run(
        _ scripts: [ReplayScript], rounds: Int = 3, memos: SessionMemos?, timeout: TimeAmount = .seconds(10),
        _ script: @escaping ScriptedMilter.Script
    ) async throws -> Run {
        let milter = try await ScriptedMilter(script: script)
        var configuration = MilterClientConfiguration()
        configuration.timeouts = MilterTimeouts(
            connect: .seconds(10), command: timeout, content: timeout, endOfMessage: timeout,
            stepDeadline: .seconds(20))
        let replayer = SessionReplayer(
            address: .inet(host: "127.0.0.1", port: milter.port), configuration: configuration,
            comparator: ReplayComparator(mask: ReplyMask(), showsValues: false), memos: memos)
        let lines = NIOLockedValueBox<[String]>([])
        await BlockingThread.run(1) { _ in
            for _ in 0..<rounds {
                for (entry, script) in scripts.enumerated() {
                    let line: String
                    do {
                        line = summary(try replayer.compare(script, entry: entry).0)
                    } catch {
                        line = "unreachable: \(error)"
                    }
                    lines.withLockedValue { $0.append(line) }
                }
            }
        }
        await milter.stop()
        return Run(
            comparisons: lines.withLockedValue { $0 },
            events: milter.eventIDs.reduce(into: [:]) { $0["\($1)", default: 0] += 1 })
    }

    /// Runs `makeScript()` with and without memos and expects the same; returns the memos.
    @discardableResult
    static func expectSameAsMachine(
        _ scripts: [ReplayScript]? = nil, timeout: TimeAmount = .seconds(10), _ makeScript: () -> ScriptedMilter.Script
    ) async throws -> SessionMemos {
        let scripts = try scripts ?? Self.scripts()
        let memos = SessionMemos()
        let reused = try await run(scripts, memos: memos, timeout: timeout, makeScript())
        let judged = try await run(scripts, memos: nil, timeout: timeout, makeScript())
        #expect(reused.comparisons.count == judged.comparisons.count)
        for (index, (mine, theirs)) in zip(reused.comparisons, judged.comparisons).enumerated() {
            #expect(mine == theirs, "session \(index + 1): from the recording \(mine), by the machine \(theirs)")
        }
        #expect(reused.events == judged.events)
        return memos
    }

    /// A well-behaved milter whose answer to the `n`-th command of a kind in the `session`-th session
    /// (counted over all rounds, from 1) is `actions`: the fourth is the first of round 2, the first
    /// sent from a recording.
    static func script(
        session: Int = 4, at n: Int = 1, of id: MilterCommand.ID, _ actions: [ScriptedMilter.Action],
        answer: MilterReply = Scripts.answer(), endOfMessage: [ScriptedMilter.Action] = [.reply(.accept)]
    ) -> ScriptedMilter.Script {
        let sessions = ScriptCounter()
        let counter = ScriptCounter()
        return Scripts.wellBehaved(answer: answer, endOfMessage: endOfMessage) { command in
            if command.id == .connect { sessions.increment() }
            guard command.id == id, sessions.value == session, counter.increment() == n else { return nil }
            return actions
        }
    }

    @Test func aMilterThatAnswersAlikeIsAnsweredFromTheRecording() async throws {
        let memos = try await Self.expectSameAsMachine { Scripts.wellBehaved() }
        // The first round records the three sessions; the next two send them from their recordings.
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 6, sessionsDiverged: 0))
    }

    @Test func anotherVerdictGoesBackToTheMachine() async throws {
        let memos = try await Self.expectSameAsMachine { Self.script(of: .endOfMessage, [.reply(.reject)]) }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 5, sessionsDiverged: 1))
    }

    @Test func aCloseMidwayIsTheMachinesFinding() async throws {
        let memos = try await Self.expectSameAsMachine { Self.script(at: 2, of: .recipient, [.close]) }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 5, sessionsDiverged: 1))
    }

    @Test func aReplyNobodyAskedForIsFoundAsTheMachineFindsIt() async throws {
        let memos = try await Self.expectSameAsMachine {
            Self.script(of: .helo, [.together([.continue, .continue])])
        }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 5, sessionsDiverged: 1))
    }

    @Test func modificationsAnsweredAlikeAreReused() async throws {
        let memos = try await Self.expectSameAsMachine {
            Scripts.wellBehaved(endOfMessage: [
                .together([.addHeader(HeaderField(name: "X-Test", value: "yes")), .accept])
            ])
        }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 6, sessionsDiverged: 0))
    }

    @Test func anotherModificationGoesBackToTheMachine() async throws {
        let added = { (value: String) -> [ScriptedMilter.Action] in
            [.together([.addHeader(HeaderField(name: "X-Test", value: MilterString(value))), .accept])]
        }
        let memos = try await Self.expectSameAsMachine {
            Self.script(at: 2, of: .endOfMessage, added("other"), endOfMessage: added("yes"))
        }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 5, sessionsDiverged: 1))
    }

    /// A recorded MTA that closed the socket instead of sending QUIT: the close is the last step.
    @Test func aSessionThatEndsWithTheCloseIsReusedAlike() async throws {
        let closing = try Self.scripts().map { Self.withSteps(Array($0.steps.dropLast()), of: $0) }
        #expect(closing.allSatisfy { !$0.endsWithQuit })
        let memos = try await Self.expectSameAsMachine(closing) { Scripts.wellBehaved() }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 6, sessionsDiverged: 0))
    }

    /// NR on every stage but end of message.
    static let noReply = Scripts.answer(flags: [
        .noReplyConnect, .noReplyHelo, .noReplyMail, .noReplyRecipient, .noReplyData, .noReplyHeader,
        .noReplyEndOfHeaders, .noReplyBody, .noReplyUnknown,
    ])

    /// A milter negotiating no reply for most events: the steps without a reply are held and leave
    /// with the next one that has one, from the recording as through the machine.
    @Test func noReplyStepsAreHeldAlike() async throws {
        let memos = try await Self.expectSameAsMachine { Scripts.wellBehaved(answer: Self.noReply) }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 6, sessionsDiverged: 0))
    }

    /// With steps held, the machine that takes over must be fed the held frames as written already.
    @Test(arguments: [
        [ScriptedMilter.Action.reply(.reject)], [.close], [.together([.accept, .continue])],
    ])
    func noReplyStepsAreHeldAlikeWhenTheMilterAnswersOtherwise(_ actions: [ScriptedMilter.Action]) async throws {
        let memos = try await Self.expectSameAsMachine {
            Self.script(at: 2, of: .endOfMessage, actions, answer: Self.noReply)
        }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 5, sessionsDiverged: 1))
    }

    /// A reply nobody asked for that came with the session's last answer is found before the ABORT
    /// the recording held for QUIT's write (or for the close), as the machine finds it.
    @Test(arguments: [true, false])
    func aReplyNobodyAskedForWithTheLastAnswerIsFoundBeforeTheHeldSteps(endsWithQuit: Bool) async throws {
        let scripts = try Self.scripts().map { script in
            endsWithQuit ? script : Self.withSteps(Array(script.steps.dropLast()), of: script)
        }
        let messages = scripts[0].steps.count { $0.command.id == .endOfMessage }
        let memos = try await Self.expectSameAsMachine(scripts) {
            Self.script(at: messages, of: .endOfMessage, [.together([.accept, .continue])])
        }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 5, sessionsDiverged: 1))
    }

    /// Sessions whose last ABORTs are left out, so that QUIT follows the last answer: a reply nobody
    /// asked for with it is found at QUIT, the one step that differs from the first replay.
    @Test func onlyQuitDiffers() async throws {
        let scripts = try Self.scripts().map { script in
            var steps = Array(script.steps.dropLast())
            while steps.last?.command.id == .abort { steps.removeLast() }
            return Self.withSteps(steps + [script.steps.last!], of: script)
        }
        #expect(scripts.allSatisfy { $0.endsWithQuit && $0.steps.dropLast().last?.command.id == .endOfMessage })
        let messages = scripts[0].steps.count { $0.command.id == .endOfMessage }
        let memos = try await Self.expectSameAsMachine(scripts) {
            Self.script(at: messages, of: .endOfMessage, [.together([.accept, .continue])])
        }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 5, sessionsDiverged: 1))
    }

    /// A milter that negotiates no reply for HELO and closes on the HELO of the first session sent from its
    /// recording: the machine that takes over finds it at MAIL and names HELO, sent without a reply before it
    /// (``Finding/sentWithoutReply``), as a replay through the machine alone does.
    @Test func aCloseOnHeloWithoutReplyIsFoundAtMailNamingHeloAlike() async throws {
        let scripts = try Self.scripts()
        let makeScript = { Self.script(of: .helo, [.close], answer: Scripts.answer(flags: [.noReplyHelo])) }
        let memos = SessionMemos()
        let reused = try await Self.run(scripts, memos: memos, makeScript())
        let judged = try await Self.run(scripts, memos: nil, makeScript())
        #expect(reused.comparisons == judged.comparisons)
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 5, sessionsDiverged: 1))
        for run in [reused, judged] {
            let line = run.comparisons[3]
            #expect(line.contains("at MAIL: "), "\(line)")
            // The line quotes the comparison's differences as Swift literals: `milter\'s`.
            #expect(
                line.contains("(sent without a reply since the milter") && line.contains("last one: HELO)"), "\(line)")
        }
    }

    /// The reply that times out never comes (the milter stops first): the timeout can be long enough that no
    /// other reply, however starved the test, outlasts it. (A 300 ms timeout on every reply of 36 sessions, and a
    /// reply 900 ms late, made any reply of a starved test a timeout.)
    @Test func aTimeoutIsTheMachinesFinding() async throws {
        let memos = try await Self.expectSameAsMachine(timeout: .seconds(10)) {
            Self.script(at: 2, of: .recipient, [.waitFor(ScriptCounter(), reaching: 1)])
        }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 5, sessionsDiverged: 1))
    }

    /// A session whose first replay cannot be recorded (the milter closed it) goes through the
    /// machine, unrecorded, every time after.
    @Test func aSessionThatCouldNotBeRecordedGoesThroughTheMachine() async throws {
        let memos = try await Self.expectSameAsMachine { Self.script(session: 1, at: 2, of: .recipient, [.close]) }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 4, sessionsDiverged: 0))
    }

    /// `script` with other steps.
    static func withSteps(_ steps: [RecordedStep], of script: ReplayScript) -> ReplayScript {
        ReplayScript(
            label: script.label, offer: script.offer, negotiationReplies: script.negotiationReplies,
            recordedOptions: script.recordedOptions, steps: steps)
    }

    /// A PROGRESS flood at the first session's first end of message, in its first replay: the
    /// recording stops keeping at its bound (1,024 replies to one write), the session is not
    /// recorded and goes through the machine every time after; the others are recorded and reused.
    @Test func aFloodOfProgressIsNotRecorded() async throws {
        let flood = [MilterReply](repeating: .progress, count: 2048)
        let memos = try await Self.expectSameAsMachine {
            Self.script(session: 1, at: 1, of: .endOfMessage, [.together(flood + [.accept])])
        }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 4, sessionsDiverged: 0))
    }

    @Test func aStoreOverItsBudgetSendsEverySessionThroughTheMachine() async throws {
        let memos = SessionMemos(maximumBytes: 10)
        let scripts = try Self.scripts()
        let reused = try await Self.run(scripts, memos: memos, Scripts.wellBehaved())
        let judged = try await Self.run(scripts, memos: nil, Scripts.wellBehaved())
        #expect(reused.comparisons == judged.comparisons)
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 0, sessionsDiverged: 0))
    }
}
