extension DirectionReassembly {
    /// Whether the peer's acknowledgement number `acknowledgement` covers bytes past the delivery point: bytes
    /// that were sent and received but, at this point, not captured.
    func isAcknowledgedPast(_ acknowledgement: UInt32, deliveringFrom nextSequence: UInt32? = nil) -> Bool {
        guard let next = nextSequence ?? self.nextSequence else { return false }
        return Int32(bitPattern: acknowledgement &- next) > 0
    }

    /// Takes the peer's acknowledgement of this direction up to `acknowledgement`, seen in packet `packet`.
    ///
    /// The peer acknowledges only bytes it received, and a sender never sends acknowledged bytes again: a hole
    /// the acknowledgement covers will not be filled by the capture, so it is declared a gap now rather than at
    /// the end of the stream. An acknowledgement one past the delivery point with nothing buffered may be that
    /// of an uncaptured FIN, and is left alone.
    mutating func acknowledged(_ acknowledgement: UInt32, packet: Int, into output: inout DirectionOutput) {
        guard !closed, isAcknowledgedPast(acknowledgement) else { return }
        var end = next + Int64(Int32(bitPattern: acknowledgement &- nextSequence!))
        if let first = firstPendingOffset {
            end = min(end, first)
        } else if end == next + 1 && finOffset == nil {
            return
        }
        if let finOffset { end = min(end, finOffset) }
        declareGap(upTo: end, detectedAt: packet, into: &output)
        closeIfFinReached(into: &output)
    }
}
