import MilterCapture
import MilterClient
import NIOConcurrencyHelpers

/// The frames of one milter connection, gathered by its frame tap for `--verbose` and rendered as the
/// `--pcap --dump` transcript of a session once the connection is over.
final class LiveTranscript: Sendable {
    private let session: NIOLockedValueBox<LiveSession>
    /// When the connection was opened, on the clock the tap's times are on.
    private let start = ContinuousClock.now

    /// A transcript of a connection to `milter`, opened now.
    init(milter: MilterAddress) {
        session = NIOLockedValueBox(
            LiveSession(number: 0, milter: milter.description, start: RecordingFile.wallClock()))
    }

    /// The tap that feeds this transcript.
    var tap: MilterFrameTap {
        MilterFrameTap { [self] event in record(event) }
    }

    private func record(_ event: MilterFrameTap.Event) {
        let elapsed = start.duration(to: event.time)
        session.withLockedValue { session in
            session.append(
                event.frame, direction: event.direction == .toMilter ? .fromMTA : .fromMilter,
                at: session.start.adding(elapsed))
        }
    }

    /// The transcript as text, or as one JSON line, for the connection numbered `number`.
    func render(number: UInt, json: Bool) -> String {
        var session = session.withLockedValue { $0 }
        session.number = Int(number)
        return json ? JSONTranscriptRenderer().render(session) : TranscriptRenderer().render(session)
    }
}

extension CaptureTimestamp {
    /// This time plus `duration` (not negative).
    func adding(_ duration: Duration) -> CaptureTimestamp {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = Int64(nanoseconds) + attoseconds / 1_000_000_000
        return CaptureTimestamp(
            seconds: self.seconds + seconds + nanoseconds / 1_000_000_000,
            nanoseconds: UInt32(nanoseconds % 1_000_000_000))
    }
}
