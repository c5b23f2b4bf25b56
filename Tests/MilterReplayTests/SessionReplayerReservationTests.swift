import MilterClient
import MilterTestSupport
import NIOConcurrencyHelpers
import Testing

@testable import MilterReplayKit

/// The first replay of a held session, through ``SessionReplayer``, reserves what its recording keeps from
/// the memos' budget while it records (``SessionRecordBoundsTests`` opens the recordings itself): what the
/// milter sees reserved while it answers, and nothing left reserved once the memo is kept.
@Suite(.timeLimit(.minutes(2))) struct SessionReplayerReservationTests {
    @Test func aFirstReplayReservesFromTheMemosWhileItRecords() async throws {
        let script = try SessionReuseTests.scripts()[0]
        let memos = SessionMemos()
        // What the memos had reserved each time the milter got an end of message, the replay waiting for it.
        let reservedAtEndOfMessage = NIOLockedValueBox<[Int]>([])
        let run = try await SessionReuseTests.run(
            [script], rounds: 1, memos: memos,
            Scripts.wellBehaved { command in
                if command.id == .endOfMessage {
                    reservedAtEndOfMessage.withLockedValue { $0.append(memos.bytesReserved) }
                }
                return nil
            })
        #expect(run.comparisons.count == 1 && !run.comparisons[0].hasPrefix("unreachable"), "\(run.comparisons)")
        let reserved = reservedAtEndOfMessage.withLockedValue { $0 }
        #expect(!reserved.isEmpty)
        #expect(reserved.allSatisfy { $0 >= SessionRecordBoundsTests.reservationStep }, "\(reserved)")
        // The reservation went back when the memo was kept, which the budget now holds.
        #expect(memos.bytesReserved == 0)
        #expect(memos.bytesLeft < memos.maximumBytes)
        guard case .memo = memos.lookup(0) else {
            Issue.record("the session was not kept: \(memos.lookup(0))")
            return
        }
    }
}
