import MilterClient
import MilterProtocol

/// What the target answered when a recorded session was sent to it again.
package struct ReplayedSession: Sendable {
    /// The OPTNEG step, with the recorded offer.
    package let negotiation: StepRecord
    /// One record per recorded step, in order.
    package let steps: [StepRecord]
    /// From connecting to the last step.
    package let duration: Duration

    /// The answers to a session that took `duration`.
    package init(negotiation: StepRecord, steps: [StepRecord], duration: Duration) {
        self.negotiation = negotiation
        self.steps = steps
        self.duration = duration
    }
}

/// Sends the MTA's side of recorded sessions to a milter, one milter connection per session, on
/// the calling thread with a blocking socket (``BlockingMilterConnection``), as the replay of
/// message files does: every step is a `write` and a `read`, with no hop to an event loop.
struct SessionReplayer: Sendable {
    /// The milter.
    let address: MilterAddress
    /// Timeouts, reply limits and the MTA rules the replies are checked against; the offer is the recording's.
    let configuration: MilterClientConfiguration
    /// Compares the replies with the recorded ones.
    let comparator: ReplayComparator
    /// The first replay of each held session, sent again from its recording (`--repeat`); nil to
    /// send every replay through the state machine.
    let memos: SessionMemos?

    /// Replays `script` on a new connection and compares the replies with the recorded ones; throws
    /// only when the milter cannot be reached. `entry` is the script's place among the held
    /// sessions, which ``memos`` go by; nil for a session read as the replay goes.
    func compare(_ script: ReplayScript, entry: Int?) throws(MilterConnectError) -> (SessionComparison, Duration) {
        var configuration = configuration
        configuration.offer = script.offer
        let start = ContinuousClock.now
        let covered = script.endsWithQuit ? script.steps.dropLast() : script.steps[...]
        guard let memos, let entry else { return try throughTheMachine(script, covered, start, configuration) }
        let memo: SessionMemo
        switch memos.lookup(entry) {
        case .memo(let found): memo = found
        case .machine: return try throughTheMachine(script, covered, start, configuration)
        case .record:
            // The recording reserves what it keeps from the memos' budget as it goes, so that
            // the first replays in flight together stay within it.
            let connection = try BlockingMilterConnection.openRecording(
                to: address, configuration: configuration, maximumBytes: memos.maximumBytes, reservingFrom: memos)
            let records = Self.replay(covered, on: connection)
            let (recording, reserved) = connection.endRecording()
            let replayed = finish(connection, steps: records, script, start: start)
            let comparison = comparator.compare(script, with: replayed)
            if let recording {
                let last = script.endsWithQuit ? replayed.steps.last : nil
                memos.keep(
                    SessionMemo(recording: recording, steps: records, last: last, comparison: comparison), for: entry,
                    releasing: reserved)
            } else {
                memos.noteUnrecordable(entry)
            }
            return (comparison, replayed.duration)
        }
        return try compare(script, from: memo, covering: covered, memos: memos, start: start, configuration)
    }

    /// Every step through the state machine, unrecorded.
    private func throughTheMachine(
        _ script: ReplayScript, _ covered: ArraySlice<RecordedStep>, _ start: ContinuousClock.Instant,
        _ configuration: MilterClientConfiguration
    ) throws(MilterConnectError) -> (SessionComparison, Duration) {
        let connection = try BlockingMilterConnection.open(to: address, configuration: configuration)
        let replayed = finish(connection, steps: Self.replay(covered, on: connection), script, start: start)
        return (comparator.compare(script, with: replayed), replayed.duration)
    }

    /// Sends `script` from `memo`'s recording: its first replay's comparison while the milter answers
    /// as it did then, else a comparison of what the machine made of it.
    private func compare(
        _ script: ReplayScript, from memo: SessionMemo, covering covered: ArraySlice<RecordedStep>,
        memos: SessionMemos, start: ContinuousClock.Instant, _ configuration: MilterClientConfiguration
    ) throws(MilterConnectError) -> (SessionComparison, Duration) {
        let (connection, records) = try BlockingMilterConnection.open(
            to: address, configuration: configuration, replaying: memo.recording, steps: covered)
        let last = finishLast(connection, script)
        let duration = start.duration(to: .now)
        if records == nil, memo.lastMatches(last) {
            memos.noteReuse()
            return (memo.comparison, duration)
        }
        memos.noteDivergence()
        var steps = records ?? memo.steps
        if let last { steps.append(last) }
        let replayed = ReplayedSession(negotiation: connection.negotiation, steps: steps, duration: duration)
        return (comparator.compare(script, with: replayed), duration)
    }

    /// Sends `steps` through the state machine.
    private static func replay(_ steps: ArraySlice<RecordedStep>, on link: BlockingMilterConnection) -> [StepRecord] {
        var records: [StepRecord] = []
        records.reserveCapacity(steps.count + 1)
        for step in steps {
            records.append(link.replay(step.command, macros: step.macros, frames: step.frames))
        }
        return records
    }

    /// The session's last step, QUIT (its record) or, for a recording that ends without QUIT, the
    /// close: the recorded MTA closed the socket, and so does the replay.
    private func finishLast(_ connection: BlockingMilterConnection, _ script: ReplayScript) -> StepRecord? {
        guard script.endsWithQuit, let quit = script.steps.last else {
            connection.closeWithoutQuit()
            return nil
        }
        return connection.replay(quit.command, macros: quit.macros, frames: quit.frames)
    }

    private func finish(
        _ connection: BlockingMilterConnection, steps: [StepRecord], _ script: ReplayScript,
        start: ContinuousClock.Instant
    ) -> ReplayedSession {
        var steps = steps
        if let last = finishLast(connection, script) { steps.append(last) }
        return ReplayedSession(negotiation: connection.negotiation, steps: steps, duration: start.duration(to: .now))
    }
}

extension RecordedStep: ReplayableStep {}
