import MilterClient
import NIOConcurrencyHelpers
import Synchronization

/// The first replay of each recorded session of a run held in memory (`--repeat`, `--duration`):
/// what was written and read (``SessionRecording``), the records of the steps and their
/// comparison with the capture. A later replay of the session sends the recorded writes and
/// compares each reply with the one recorded; while all match, the session's records, and so its
/// comparison, are those of the first replay, because the state machine is a pure value that
/// judges the same replies in the same state alike. The first difference hands the session to
/// the machine (``BlockingMilterConnection/open(to:configuration:replaying:steps:)``), and its
/// records are compared afresh. The last step (QUIT, or the close) always goes through the
/// machine, and the first replay's comparison holds only if it got the same record. A replay that
/// starts before the session's first replay has ended (many connections, few sessions) goes through
/// the machine too.
///
/// Kept up to ``maximumBytes`` (the recorded frames, and an estimate of the records and the machine
/// each memo holds: ``SessionMemo/cost``); the sessions past that go through the machine every
/// time. A first replay reserves from the budget what its recording keeps as it goes
/// (``reserve(_:wanting:)``), so the recordings in flight and the kept memos together stay within
/// ``maximumBytes`` however many connections record at once; one that cannot reserve more is not
/// recorded, and its reservation goes back when it ends (``release(_:)``,
/// ``keep(_:for:releasing:)``). `--no-exchange-reuse` turns it off.
final class SessionMemos: RecordingBudget {
    /// The most bytes kept (``SessionMemo/cost``).
    let maximumBytes: Int
    private let state = NIOLockedValueBox(State())
    private let reused = Atomic(0)
    private let diverged = Atomic(0)

    private struct State {
        var byEntry: [Int: SessionMemo] = [:]
        /// Sessions whose first replay could not be recorded (a close, a timeout, a reply nobody asked
        /// for): they go through the machine, unrecorded, from then on.
        var unrecordable: Set<Int> = []
        /// What the kept memos cost.
        var bytes = 0
        /// What the recordings in flight have reserved: ``bytes`` and this stay within ``maximumBytes``.
        var reserved = 0
    }

    /// What a replay of a held session does.
    enum Lookup {
        /// Sends it from this memo.
        case memo(SessionMemo)
        /// Replays it through the machine and records it, for the next replays.
        case record
        /// Replays it through the machine, unrecorded: it could not be recorded before, or the
        /// budget is spent.
        case machine
    }

    /// The smallest memo: a recording is not made when less than this is left of the budget.
    static let smallestCost = 4096

    /// A store that keeps memos of at most `maximumBytes` in all.
    init(maximumBytes: Int = 64 * 1024 * 1024) { self.maximumBytes = maximumBytes }

    /// What to do with a replay of the held session at `entry`.
    func lookup(_ entry: Int) -> Lookup {
        state.withLockedValue { state in
            if let memo = state.byEntry[entry] { return .memo(memo) }
            if state.unrecordable.contains(entry) || state.bytes + state.reserved + Self.smallestCost > maximumBytes {
                return .machine
            }
            return .record
        }
    }

    /// What is left of ``maximumBytes`` beside the kept memos and the recordings' reservations.
    var bytesLeft: Int { state.withLockedValue { max(0, maximumBytes - $0.bytes - $0.reserved) } }

    /// What the recordings in flight have reserved, in bytes.
    var bytesReserved: Int { state.withLockedValue { $0.reserved } }

    /// Reserves `wanted` bytes for a recording in flight if that much is left, else what is left if
    /// that is at least `needed`. Returns the bytes reserved: 0 if not even `needed` is left.
    func reserve(_ needed: Int, wanting wanted: Int) -> Int {
        state.withLockedValue { state in
            let left = maximumBytes - state.bytes - state.reserved
            guard needed <= left else { return 0 }
            let granted = min(max(needed, wanted), left)
            state.reserved += granted
            return granted
        }
    }

    /// Gives back `bytes` a recording reserved and will not keep.
    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        state.withLockedValue { $0.reserved -= bytes }
    }

    /// The first replay of the session at `entry` could not be recorded.
    func noteUnrecordable(_ entry: Int) { _ = state.withLockedValue { $0.unrecordable.insert(entry) } }

    /// Keeps `memo` for `entry` unless one is kept already or the budget is spent, with the other
    /// recordings' reservations. `reservation`, what its recording reserved, goes back first, under
    /// the same lock.
    func keep(_ memo: SessionMemo, for entry: Int, releasing reservation: Int = 0) {
        let bytes = memo.cost
        state.withLockedValue { state in
            state.reserved -= reservation
            guard state.byEntry[entry] == nil, state.bytes + state.reserved + bytes <= maximumBytes else { return }
            state.byEntry[entry] = memo
            state.bytes += bytes
        }
    }

    /// How many sessions were sent from a recording and answered as recorded, and how many were
    /// answered otherwise and judged by the state machine.
    var outcomes: SessionReuseCounts {
        SessionReuseCounts(
            sessionsReused: reused.load(ordering: .relaxed), sessionsDiverged: diverged.load(ordering: .relaxed))
    }

    func noteReuse() { reused.add(1, ordering: .relaxed) }
    func noteDivergence() { diverged.add(1, ordering: .relaxed) }
}

/// A session's first replay: what was written and read up to its last step, the records of every
/// step, and their comparison with the capture. Immutable once made.
final class SessionMemo: Sendable {
    let recording: SessionRecording
    /// The records of the steps the recording covers.
    let steps: [StepRecord]
    /// The last step's record (QUIT); nil when the session ended with the close.
    let last: StepRecord?
    let comparison: SessionComparison

    init(recording: SessionRecording, steps: [StepRecord], last: StepRecord?, comparison: SessionComparison) {
        self.recording = recording
        self.steps = steps
        self.last = last
        self.comparison = comparison
    }

    /// What keeping it costs, in bytes: the recording's (``SessionRecording/byteCount``), each record's
    /// replies (``MilterClientLimits/cost(of:)``) and the comparison's texts, and an estimate of the
    /// rest: the machine after the steps, about 2 KiB, and each record's own fields, about 160 bytes.
    var cost: Int {
        var total = recording.byteCount + 2048 + 160 * (steps.count + 1)
        let replies = { (record: StepRecord) in record.replies.reduce(0) { $0 + MilterClientLimits.cost(of: $1) } }
        total += steps.reduce(last.map(replies) ?? 0) { $0 + replies($1) }
        for difference in comparison.differences {
            total += difference.command.utf8.count + difference.recorded.utf8.count + difference.now.utf8.count
        }
        return total + comparison.notes.reduce(0) { $0 + $1.utf8.count }
    }

    /// Whether `record` of the last step is the one the first replay got, but for its duration.
    func lastMatches(_ record: StepRecord?) -> Bool {
        guard var record, let last else { return record == nil && last == nil }
        record.duration = last.duration
        return record == last
    }
}
