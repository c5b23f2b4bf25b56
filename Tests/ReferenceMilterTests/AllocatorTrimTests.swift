import NIOConcurrencyHelpers
import NIOEmbedded
import Testing

@testable import ReferenceMilter

/// When the daemon asks the allocator to give free memory back: counted in closed connections, run
/// a moment later on the event loop, once for all that fall due meanwhile.
@Suite struct AllocatorTrimTests {
    /// A trim policy that counts its trims instead of calling `malloc_trim`, on an embedded loop.
    struct Counted {
        let trims = NIOLockedValueBox(0)
        let loop = EmbeddedEventLoop()
        let policy: AllocatorTrim
        init() {
            let trims = trims
            policy = AllocatorTrim { trims.withLockedValue { $0 += 1 } }
        }

        /// Closes `count` connections, `open` left open after each, lets the trim delay pass; returns the trims so far.
        func close(_ count: Int, open: Int) -> Int {
            for _ in 0..<count { policy.connectionClosed(open: open, on: loop) }
            loop.advanceTime(by: AllocatorTrim.delay)
            return trims.withLockedValue { $0 }
        }
    }

    @Test func trimsWhenNoConnectionIsOpenAfterEnoughCloses() {
        let counted = Counted()
        #expect(counted.close(AllocatorTrim.closesWhenIdle - 1, open: 0) == 0)
        #expect(counted.close(1, open: 0) == 1)
        // The count starts again after a trim.
        #expect(counted.close(AllocatorTrim.closesWhenIdle - 1, open: 0) == 1)
    }

    @Test func closesWhileOthersAreOpenTrimOnlyAfterTheBusyCount() {
        let counted = Counted()
        #expect(counted.close(AllocatorTrim.closesWhenBusy - 1, open: 3) == 0)
        #expect(counted.close(1, open: 3) == 1)
    }

    @Test func theLastOfABurstTrimsOnceTheBusyCountHasTrimmed() {
        // Connections close one after another until none is open: a trim at the 256th; the 44
        // after it are too few for another when the last one closes, 64 after it are enough.
        for (burst, trims) in [(300, 1), (AllocatorTrim.closesWhenBusy + AllocatorTrim.closesWhenIdle, 2)] {
            let counted = Counted()
            for open in (0..<burst).reversed() { _ = counted.close(1, open: open) }
            #expect(counted.close(0, open: 0) == trims, "\(burst) closes")
        }
    }

    @Test func trimsThatFallDueBeforeTheScheduledOneRunsRunOnce() {
        let counted = Counted()
        for _ in 0..<(3 * AllocatorTrim.closesWhenBusy) { counted.policy.connectionClosed(open: 1, on: counted.loop) }
        #expect(counted.trims.withLockedValue { $0 } == 0)  // not before the delay
        #expect(counted.close(0, open: 0) == 1)
        // The next one is scheduled again, a minimum interval after the last.
        #expect(counted.close(AllocatorTrim.closesWhenBusy, open: 1) == 1)
        counted.loop.advanceTime(by: AllocatorTrim.minimumInterval)
        #expect(counted.trims.withLockedValue { $0 } == 2)
    }

    @Test func trimsAreAMinimumIntervalApart() {
        // A busy daemon: 256 closes every delay would trim four times a minimum interval.
        let counted = Counted()
        let delaysPerInterval = Int(AllocatorTrim.minimumInterval.nanoseconds / AllocatorTrim.delay.nanoseconds)
        var trims = 0
        for _ in 0..<(4 * delaysPerInterval) { trims = counted.close(AllocatorTrim.closesWhenBusy, open: 5) }
        #expect(trims >= 3 && trims <= 5, "\(trims) trims in four minimum intervals")
        #expect(trims < 4 * delaysPerInterval)
    }
}
