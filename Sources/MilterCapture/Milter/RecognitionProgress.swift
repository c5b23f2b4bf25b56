import NIOCore

/// How far a stream not yet recognised is from a verdict. ``MilterStreamClassifier`` judges the bytes of the
/// direction that sent first, joined from the events kept; asked again at every event, it joined them again each
/// time, quadratic in the stream's segments. This tells when an event can change the verdict: data of that
/// direction reaching the count the last verdict waited for, or a gap before or in it.
struct RecognitionProgress {
    /// The direction whose data came first.
    private(set) var firstDirection: StreamDirection?
    /// The bytes of its data so far.
    private(set) var firstBytes = 0
    /// The count of ``firstBytes`` from which the verdict may change; 0 until a verdict was given.
    private var verdictDue = 0

    /// Takes `event` into account; true when the verdict must be asked again.
    mutating func changesVerdict(_ event: ReassemblyEvent) -> Bool {
        switch event {
        case .data(_, let direction, let data) where firstDirection == nil || firstDirection == direction:
            firstDirection = direction
            firstBytes += data.bytes.readableBytes
            return firstBytes >= verdictDue
        case .gap(_, let direction, _) where firstDirection == nil || firstDirection == direction:
            return true
        default:
            return verdictDue == 0
        }
    }

    /// The verdict on `firstBytes`, the first direction's bytes (nil: no data yet) without a gap, is undecided.
    mutating func undecided(on firstBytes: ByteBuffer?) {
        verdictDue = firstBytes.map(MilterStreamClassifier.bytesBeforeVerdict(after:)) ?? 1
    }
}
