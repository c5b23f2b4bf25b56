import MilterCapture
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

@testable import MilterReplayKit

/// fixtures/pcap/postfix-cmilter-lo.pcap with packets dropped as a kernel would: a lost milter reply makes the
/// session not comparable at once.
struct PcapGapTests {
    static let capture = ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap")

    static func scripts(dropping dropped: Set<Int>) throws -> [ReplayScript] {
        let path = dropped.isEmpty ? capture : try PcapPacketDropper.copy(capture, dropping: dropped)
        return try ScriptReader.loadAll(path: path, options: MilterExtractionOptions()).map { try $0.get() }
    }

    /// A replay in which the target answers every step exactly as the recording did.
    static func echo(_ script: ReplayScript) -> ReplayedSession {
        let steps = script.steps.map { step in
            StepRecord(
                command: step.command.id, delivery: step.replies.isEmpty ? .sentWithoutReply : .awaited,
                replies: step.replies)
        }
        let negotiation = StepRecord(
            command: .optionNegotiation, delivery: .awaited, replies: script.negotiationReplies)
        return ReplayedSession(negotiation: negotiation, steps: steps, duration: .zero)
    }

    static func compare(_ script: ReplayScript) -> SessionComparison {
        ReplayComparator(mask: ReplyMask()).compare(script, with: echo(script))
    }

    @Test func theUnalteredCaptureIsTheSame() throws {
        for script in try Self.scripts(dropping: []) {
            let comparison = Self.compare(script)
            #expect(script.milterGap == nil)
            #expect(comparison.notComparedReason == nil && comparison.isSame && comparison.compared > 0)
        }
    }

    /// Packet 11 is the milter's CONTINUE to HELO; packet 12, the MTA's MAIL, acknowledges it.
    @Test func aLostMilterReplyMakesTheSessionNotCompared() throws {
        let scripts = try Self.scripts(dropping: [11])
        let gap = try #require(scripts[0].milterGap)
        #expect(gap.step == 2 && scripts[0].steps[1].command.id == .helo)
        #expect(gap.description == "gap of 5 bytes at offset 22 in the milter's stream (packet #11)")
        // The replies after the gap stay with their commands: MAIL's CONTINUE is not held back.
        #expect(scripts[0].steps[2].command.id == .mail && scripts[0].steps[2].replies == [.continue])
        let comparison = Self.compare(scripts[0])
        let reason = try #require(comparison.notComparedReason)
        #expect(reason == "\(gap.description); not compared from step 2 on")
        var summary = PcapRunSummary()
        summary.add(SessionOutcome(sequence: 0, label: "stream 0", result: .compared(comparison), latency: .zero))
        #expect(summary.notCompared == 1 && summary.same == 0)
        #expect(summary.exitCode == ExitCodes.mismatch)
        // The other sessions are whole.
        #expect(scripts.dropFirst().allSatisfy { $0.milterGap == nil })
    }
}
