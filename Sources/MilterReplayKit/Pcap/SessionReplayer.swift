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

    /// Replays `script` on a new connection; throws only when the milter cannot be reached.
    func replay(_ script: ReplayScript) throws(MilterConnectError) -> ReplayedSession {
        var configuration = configuration
        configuration.offer = script.offer
        let start = ContinuousClock.now
        let connection = try BlockingMilterConnection.open(to: address, configuration: configuration)
        var records: [StepRecord] = []
        records.reserveCapacity(script.steps.count)
        for step in script.steps {
            records.append(connection.replay(step.command, macros: step.macros, frames: step.frames))
        }
        // A recording that ends without QUIT ended with the MTA closing the socket: do the same.
        if !script.endsWithQuit { connection.closeWithoutQuit() }
        return ReplayedSession(
            negotiation: connection.negotiation, steps: records, duration: start.duration(to: .now))
    }
}
