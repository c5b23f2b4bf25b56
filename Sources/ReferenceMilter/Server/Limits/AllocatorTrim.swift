import NIOConcurrencyHelpers
import NIOCore
import _MilterSystem

/// Asks the C library's allocator to give its free memory back to the system after connections close.
///
/// glibc keeps what a thread frees in that thread's arena, and gives back only the free memory at
/// the arena's top: after 2,000 idle connections had been closed, the event loops' arenas held
/// 13 MiB of which 0.3 MiB was in use, and the daemon's resident memory stayed 13 MiB above where it
/// was before them. `malloc_trim(0)` returns the free pages of every arena. A trim is due when
/// ``closesWhenIdle`` connections have closed since the last one and none is open, or when
/// ``closesWhenBusy`` have, whatever is open: counted in connections, so a milter serving one
/// connection at a time trims once every 64 connections and a busy one once every 256 at most. It
/// runs ``delay`` after it is due, once for all that fall due meanwhile (a closed channel's memory
/// is freed after its close callbacks, as its event loop tears it down), and never sooner than
/// ``minimumInterval`` after the previous trim: `malloc_trim` walks every arena under its lock, and a
/// daemon closing thousands of connections a second must not do that hundreds of times a second.
final class AllocatorTrim: Sendable {
    /// Closes after which a trim is due once no connection is open.
    static let closesWhenIdle = 64
    /// Closes after which a trim is due whatever is open.
    static let closesWhenBusy = 256
    /// How long after it is due a trim runs.
    static let delay = TimeAmount.milliseconds(250)
    /// The shortest time between two trims.
    static let minimumInterval = TimeAmount.seconds(1)

    private struct State {
        var closes = 0
        var scheduled = false
        var lastTrim: NIODeadline?
    }

    private let state = NIOLockedValueBox(State())
    private let trim: @Sendable () -> Void

    /// - Parameter trim: what gives the memory back; glibc's `malloc_trim(0)` unless a test counts the calls.
    init(trim: @escaping @Sendable () -> Void = AllocatorTrim.returnFreeMemory) { self.trim = trim }

    /// Records that a connection has closed, `open` connections remaining; when a trim is due and
    /// none is scheduled, schedules one on `eventLoop`.
    func connectionClosed(open: Int, on eventLoop: any EventLoop) {
        let now = eventLoop.now
        let due: NIODeadline? = state.withLockedValue { state in
            state.closes += 1
            guard state.closes >= Self.closesWhenBusy || (open == 0 && state.closes >= Self.closesWhenIdle) else {
                return nil
            }
            state.closes = 0
            guard !state.scheduled else { return nil }
            state.scheduled = true
            let soonest = state.lastTrim.map { $0 + Self.minimumInterval } ?? now
            return max(now + Self.delay, soonest)
        }
        guard let due else { return }
        eventLoop.scheduleTask(deadline: due) { [self] in
            state.withLockedValue {
                $0.scheduled = false
                $0.lastTrim = eventLoop.now
            }
            trim()
        }
    }

    /// Returns the allocator's free memory to the system (glibc's `malloc_trim(0)`; nothing elsewhere).
    static func returnFreeMemory() { _ = mallocTrim?(0) }

    /// glibc's `malloc_trim`, looked up at run time (the C module does not export it); `nil` elsewhere.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
