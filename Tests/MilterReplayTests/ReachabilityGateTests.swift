import NIOConcurrencyHelpers
import Testing

@testable import MilterReplayKit

/// The gate both runners keep until a connection reaches the milter, here over plain numbers: which failures it
/// holds back, when the run stops, and what the ending reports and counts.
struct ReachabilityGateTests {
    /// A gate over numbers, ordered by themselves, and the numbers it reported.
    static func gate() -> (ReachabilityGate<Int>, NIOLockedValueBox<[Int]>) {
        (ReachabilityGate<Int> { $0 }, NIOLockedValueBox([]))
    }

    @Test func aLocalFailureIsReportedAndDoesNotStopTheRun() {
        let (gate, reported) = Self.gate()
        #expect(
            !gate.failed(1, reason: "too many open files", local: true) { n in reported.withLockedValue { $0.append(n) }
            })
        #expect(!gate.stopped)
        #expect(reported.withLockedValue { $0 } == [1])
        var asked = false
        let ending = gate.ending(
            notSent: {
                asked = true; return 0
            }, report: { _ in Issue.record("reported at the end") })
        #expect(ending.unreachable == nil && ending.stoppedEarly == nil)
        #expect(!asked)
    }

    /// Every failure before the milter is reached is held back, the first one names the stop.
    @Test func everyFailureIsHeldBackUntilReached() throws {
        let (gate, reported) = Self.gate()
        let report: (Int) -> Void = { n in reported.withLockedValue { $0.append(n) } }
        #expect(gate.failed(5, reason: "refused 5", local: false, report: report))
        #expect(gate.failed(3, reason: "refused 3", local: false, report: report))
        #expect(gate.stopped)
        #expect(reported.withLockedValue { $0 }.isEmpty)
        gate.reached()
        #expect(!gate.failed(9, reason: "refused 9", local: false, report: report))
        let ending = gate.ending(notSent: { 4 }, report: report)
        #expect(ending.unreachable == nil)
        let stopped = try #require(ending.stoppedEarly)
        #expect(stopped.reason == "refused 5")
        #expect(stopped.notSent == 4)
        #expect(reported.withLockedValue { $0 } == [9, 3, 5])
    }

    /// A milter never reached gets no outcome reported, not even of a failure after the one that stopped the run
    /// (connections opened at once): only the ending's reason. The capture runner used to report such a failure.
    @Test func anUnreachableMilterGetsNoOutcomeReported() {
        let (gate, reported) = Self.gate()
        let report: (Int) -> Void = { n in reported.withLockedValue { $0.append(n) } }
        #expect(gate.failed(5, reason: "refused 5", local: false, report: report))
        #expect(gate.failed(3, reason: "refused 3", local: false, report: report))
        #expect(reported.withLockedValue { $0 }.isEmpty)
        let ending = gate.ending(
            notSent: {
                Issue.record("not sent asked of an unreachable milter"); return 0
            }, report: report)
        #expect(ending.unreachable == "refused 5")
        #expect(ending.stoppedEarly == nil)
        #expect(reported.withLockedValue { $0 }.isEmpty)
    }

    /// Work taken after the stop counts as not sent, with the rest; before the stop nothing is skipped.
    @Test func workSkippedAfterTheStopCountsAsNotSent() throws {
        let (gate, _) = Self.gate()
        #expect(!gate.skipIfStopped())
        #expect(gate.failed(0, reason: "refused", local: false) { _ in })
        #expect(gate.skipIfStopped())
        #expect(gate.skipIfStopped())
        gate.reached()
        #expect(try #require(gate.ending(notSent: { 7 }) { _ in }.stoppedEarly).notSent == 9)
        #expect(try #require(gate.ending(notSent: { nil }) { _ in }.stoppedEarly).notSent == nil)
    }
}
