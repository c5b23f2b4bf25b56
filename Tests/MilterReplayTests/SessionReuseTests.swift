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
/// milter gets the same commands, whatever it does differently on the way (another verdict, a
/// close, a reply nobody asked for, modifications).
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
        /// The commands the milter got, MACRO packets left out, in a stable order.
        var events: [String]
    }

    /// Replays `scripts` `rounds` times, one session after the other, against a milter running `script`.
    static func run(
        _ scripts: [ReplayScript], rounds: Int = 3, memos: SessionMemos?, _ script: @escaping ScriptedMilter.Script
    ) async throws -> Run {
        let milter = try await ScriptedMilter(script: script)
        var configuration = MilterClientConfiguration()
        configuration.timeouts = MilterTimeouts(
            connect: .seconds(10), command: .seconds(10), content: .seconds(10), endOfMessage: .seconds(10),
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
        return Run(comparisons: lines.withLockedValue { $0 }, events: milter.eventIDs.map(\.description).sorted())
    }

    /// Runs `makeScript()` with and without memos and expects the same; returns the memos.
    @discardableResult
    static func expectSameAsMachine(
        _ scripts: [ReplayScript]? = nil, _ makeScript: () -> ScriptedMilter.Script
    ) async throws -> SessionMemos {
        let scripts = try scripts ?? Self.scripts()
        let memos = SessionMemos()
        let reused = try await run(scripts, memos: memos, makeScript())
        let judged = try await run(scripts, memos: nil, makeScript())
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
        endOfMessage: [ScriptedMilter.Action] = [.reply(.accept)]
    ) -> ScriptedMilter.Script {
        let sessions = ScriptCounter()
        let counter = ScriptCounter()
        return Scripts.wellBehaved(endOfMessage: endOfMessage) { command in
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
        let closing = try Self.scripts().map { script in
            ReplayScript(
                label: script.label, offer: script.offer, negotiationReplies: script.negotiationReplies,
                recordedOptions: script.recordedOptions, steps: Array(script.steps.dropLast()))
        }
        #expect(closing.allSatisfy { !$0.endsWithQuit })
        let memos = try await Self.expectSameAsMachine(closing) { Scripts.wellBehaved() }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 6, sessionsDiverged: 0))
    }

    /// A milter negotiating no reply for most events: the steps without a reply are held and leave
    /// with the next one that has one, from the recording as through the machine.
    @Test func noReplyStepsAreHeldAlike() async throws {
        let flags: MilterProtocolFlags = [
            .noReplyConnect, .noReplyHelo, .noReplyMail, .noReplyRecipient, .noReplyData, .noReplyHeader,
            .noReplyEndOfHeaders, .noReplyBody, .noReplyUnknown,
        ]
        let memos = try await Self.expectSameAsMachine { Scripts.wellBehaved(answer: Scripts.answer(flags: flags)) }
        #expect(memos.outcomes == SessionReuseCounts(sessionsReused: 6, sessionsDiverged: 0))
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
