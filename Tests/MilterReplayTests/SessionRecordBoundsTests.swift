import MilterClient
import MilterTestSupport
import NIOConcurrencyHelpers
import Testing

@testable import MilterReplayKit

/// The first replays of held sessions (`--pcap --repeat`) reserve what their recordings keep from
/// the memos' budget as they go (``SessionMemos``), so that however many are in flight at once
/// they stay within it together with the kept memos.
@Suite(.timeLimit(.minutes(2))) struct SessionRecordBoundsTests {
    /// What each recording reserves from its budget at a time, at least (64 KiB): a session of the
    /// Postfix load capture fits the first reservation.
    static let reservationStep = 64 << 10

    /// What the recordings made the check of ``recordingsInFlightTogetherStayWithinTheMemosBytes()``.
    struct Outcome {
        /// What each recording had reserved before any ended.
        var reservedInFlight: Int
        /// Whether each recording ended with a recording, in the order they were opened.
        var recorded: [Bool] = []
        /// What each recording handed back to its caller to release.
        var reservations: [Int] = []
    }

    /// Four recordings started before any ends, with a budget of three reservations: the three
    /// first fit, the fourth finds nothing left and is not recorded (each would have been alone),
    /// they reserved no more than the budget in all, and every reservation goes back.
    @Test func recordingsInFlightTogetherStayWithinTheMemosBytes() async throws {
        let script = try SessionReuseTests.scripts()[0]
        let covered = script.endsWithQuit ? script.steps.dropLast() : script.steps[...]
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let memos = SessionMemos(maximumBytes: 3 * Self.reservationStep)
        let address = MilterAddress.inet(host: "127.0.0.1", port: milter.port)
        var configuration = MilterClientConfiguration()
        configuration.offer = script.offer
        let outcome = NIOLockedValueBox<Outcome?>(nil)
        await BlockingThread.run(1) { [configuration] _ in
            var connections: [BlockingMilterConnection] = []
            for _ in 0..<4 {
                guard
                    let connection = try? BlockingMilterConnection.openRecording(
                        to: address, configuration: configuration, maximumBytes: memos.maximumBytes,
                        reservingFrom: memos)
                else { return }
                connections.append(connection)
            }
            for step in covered {
                for connection in connections {
                    _ = connection.replay(step.command, macros: step.macros, frames: step.frames)
                }
            }
            var result = Outcome(reservedInFlight: memos.bytesReserved)
            for connection in connections {
                let (recording, reserved) = connection.endRecording()
                result.recorded.append(recording != nil)
                result.reservations.append(reserved)
                connection.closeWithoutQuit()
            }
            outcome.withLockedValue { $0 = result }
        }
        await milter.stop()
        let result = try #require(outcome.withLockedValue { $0 })
        #expect(result.recorded == [true, true, true, false])
        #expect(result.reservedInFlight <= memos.maximumBytes)
        #expect(result.reservations.reduce(0, +) == memos.bytesReserved)
        #expect(result.reservations[3] == 0)
        for reserved in result.reservations { memos.release(reserved) }
        #expect(memos.bytesReserved == 0 && memos.bytesLeft == memos.maximumBytes)
        #expect(memos.lookup(0).isRecord)
    }

    /// A reservation is granted what is left when less than wanted is, none when not even what is
    /// needed is; while the reservations hold the budget, no session is recorded, and what is given
    /// back can be reserved again.
    @Test func reservationsHoldTheBudgetUntilGivenBack() {
        let memos = SessionMemos(maximumBytes: 3 * Self.reservationStep)
        let first = memos.reserve(1, wanting: Self.reservationStep)
        let second = memos.reserve(1, wanting: 3 * Self.reservationStep)
        #expect(first == Self.reservationStep && second == 2 * Self.reservationStep)
        #expect(memos.reserve(1, wanting: 1) == 0)
        #expect(memos.lookup(0).isMachine)
        memos.release(second)
        #expect(memos.bytesReserved == first && memos.bytesLeft == 2 * Self.reservationStep)
        #expect(memos.lookup(0).isRecord)
    }
}

extension SessionMemos.Lookup {
    var isRecord: Bool {
        if case .record = self { return true }
        return false
    }
    var isMachine: Bool {
        if case .machine = self { return true }
        return false
    }
}
