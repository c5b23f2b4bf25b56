extension TCPConnection {
    /// Whether the acknowledgement that `segment`, sent in `direction`, carries tells the other direction
    /// something: where its stream starts, or that the capture missed bytes of it. Fast paths leave such
    /// segments to ``TCPReassembler/process(_:packet:timestamp:into:)``. `otherNext` is the other direction's
    /// next sequence number when a caller knows more than this state (bytes taken but not written back).
    func acknowledgementIsNews(_ segment: TCPSegment, from direction: StreamDirection, otherNext: UInt32? = nil) -> Bool
    {
        guard segment.flags.contains(.ack) else { return false }
        let other = directions[1 - direction.rawValue]
        guard other.base != nil else { return anchorsOtherDirection(segment, from: direction) }
        return other.isAcknowledgedPast(segment.acknowledgementNumber, deliveringFrom: otherNext)
    }

    /// Applies the acknowledgement that `segment` (packet `packet`, sent in `direction`) carries to the other
    /// direction: it anchors a stream whose SYN was not captured, and declares holes it covers gaps at once.
    func acknowledge(
        _ segment: TCPSegment, from direction: StreamDirection, packet: Int, into events: inout [ReassemblyEvent]
    ) {
        guard segment.flags.contains(.ack) else { return }
        let other = 1 - direction.rawValue
        guard directions[other].base != nil else {
            if anchorsOtherDirection(segment, from: direction) {
                directions[other].anchor(at: segment.acknowledgementNumber)
            }
            return
        }
        var output = DirectionOutput(id: info.id, direction: StreamDirection(rawValue: other)!, events: [])
        swap(&output.events, &events)
        directions[other].acknowledged(segment.acknowledgementNumber, packet: packet, into: &output)
        swap(&output.events, &events)
    }

    /// Whether `segment` acknowledges exactly the other direction's SYN: it is the SYN-ACK (which acknowledges
    /// the client's SYN), or the first segment of a direction whose SYN was seen, sent before anything of it
    /// was delivered (the handshake's last ACK, or the first data, which acknowledges the server's SYN).
    private func anchorsOtherDirection(_ segment: TCPSegment, from direction: StreamDirection) -> Bool {
        if segment.flags.contains(.syn) { return true }
        let own = directions[direction.rawValue]
        return own.synSeen && own.startsAt(segment.sequenceNumber)
    }
}
