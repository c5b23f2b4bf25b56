import NIOCore

/// A segment's payload placed in its direction's byte stream.
struct StreamPiece {
    var offset: Int64
    var bytes: ByteBuffer
    /// Bytes the snap length cut off the end of the segment.
    var missing: Int
    var packet: Int
    var timestamp: CaptureTimestamp

    var end: Int64 { offset + Int64(bytes.readableBytes + missing) }
}

/// Where a direction sends its events.
struct DirectionOutput {
    let id: StreamID
    let direction: StreamDirection
    var events: [ReassemblyEvent]

    mutating func gap(_ gap: StreamGap) { events.append(.gap(id, direction, gap)) }

    mutating func conflict(at offset: Int64, length: Int, packet: Int) {
        events.append(
            .conflictingCopies(id, direction, StreamConflict(streamOffset: offset, length: length, packet: packet)))
    }
}

/// Reassembles one direction of a connection: orders segments, drops duplicates, trims overlaps (the first copy
/// captured stands; a later one with other bytes is reported where it can be compared), finds gaps.
struct DirectionReassembly {
    /// The raw sequence number of stream offset 0.
    private(set) var base: UInt32?
    /// Whether the stream's start is known: its SYN was captured, or the peer's handshake acknowledged it.
    private(set) var synSeen = false
    /// The stream offset of the next byte to deliver.
    private(set) var next: Int64 = 0
    private(set) var finOffset: Int64?
    private(set) var closed = false
    private var pending: [StreamPiece] = []
    /// The payload bytes of the segments held out of order.
    private(set) var pendingBytes = 0
    /// The latest segments delivered, to compare retransmissions with.
    private var recent = RecentSegments()
    /// A copy of the latest bytes delivered, to compare partial overlaps with.
    private var tail = DeliveredTail()
    /// Whether the reassembler has decided how many delivered bytes ``tail`` keeps.
    private(set) var tailAllowed = false
    /// The memory ``tail`` may hold, counted against ``TCPReassemblyLimits/maxKeptDeliveredBytesTotal``.
    var tailCapacity: Int { tail.capacity }

    /// The raw sequence number of the next byte to deliver, once the stream's start is known.
    var nextSequence: UInt32? { base.map { $0 &+ UInt32(truncatingIfNeeded: next) } }

    /// Whether nothing of the stream was delivered or buffered yet and `sequenceNumber` is its first byte.
    func startsAt(_ sequenceNumber: UInt32) -> Bool {
        base == sequenceNumber && next == 0 && pending.isEmpty
    }

    /// Places stream offset 0 at `firstByte`, the peer's acknowledgement of this direction's uncaptured SYN, so
    /// the stream is known from its first byte. Does nothing once the start is known.
    mutating func anchor(at firstByte: UInt32) {
        guard base == nil else { return }
        base = firstByte
        synSeen = true
    }

    /// Unwraps a 32-bit sequence number to the stream offset nearest the delivery point.
    private func offset(of raw: UInt32) -> Int64 {
        let nextRaw = base! &+ UInt32(truncatingIfNeeded: next)
        return next + Int64(Int32(bitPattern: raw &- nextRaw))
    }

    mutating func receive(
        _ segment: TCPSegment, packet: Int, timestamp: CaptureTimestamp, limits: TCPReassemblyLimits,
        into output: inout DirectionOutput
    ) {
        var start = segment.sequenceNumber
        if segment.flags.contains(.syn) {
            if !synSeen && base == nil { base = start &+ 1 }
            synSeen = true
            start = start &+ 1
        }
        if base == nil {
            base = start
            output.events.append(.midstreamStart(output.id, output.direction, packet: packet))
        }
        let piece = StreamPiece(
            offset: offset(of: start), bytes: segment.payload,
            missing: segment.missingPayloadBytes, packet: packet, timestamp: timestamp)
        if segment.flags.contains(.fin) && finOffset == nil { finOffset = piece.end }
        if piece.end > piece.offset && !closed { accept(piece, limits: limits, into: &output) }
        closeIfFinReached(into: &output)
    }

    /// The stream offset of `length` bytes starting at `sequenceNumber` when they are exactly the next bytes to
    /// deliver, with nothing buffered and no FIN seen; they then count as delivered. Otherwise nil, and nothing
    /// changes.
    mutating func takeInOrder(sequenceNumber: UInt32, length: Int) -> Int64? {
        guard let base, pending.isEmpty, finOffset == nil, !closed,
            sequenceNumber == base &+ UInt32(truncatingIfNeeded: next)
        else { return nil }
        defer { next += Int64(length) }
        return next
    }

    /// Remembers bytes from stream offset `offset` that were delivered without passing through here (taken in
    /// order by the caller), so that a retransmission of them is compared.
    mutating func rememberDelivered(offset: Int64, _ bytes: ByteBuffer) {
        bytes.withUnsafeReadableBytes { rememberDelivered(offset: offset, $0) }
    }

    /// Remembers bytes delivered from stream offset `offset`, as ``rememberDelivered(offset:_:)-(_,ByteBuffer)``.
    /// A segment the tail holds whole is compared there, so its digest waits until it leaves the tail (see
    /// ``RecentSegments``).
    mutating func rememberDelivered(offset: Int64, _ bytes: UnsafeRawBufferPointer) {
        let capacity = tail.capacity
        // The bytes the tail keeps after this: a gap before `offset` makes it let go of all it holds.
        let keptFrom = offset == tail.end ? max(tail.start, offset + Int64(bytes.count) - Int64(capacity)) : .max
        recent.digestCovered(before: keptFrom, from: tail)
        if bytes.count <= capacity {
            recent.recordCovered(offset: offset, length: bytes.count)
        } else {
            recent.record(offset: offset, bytes)
        }
        tail.record(offset: offset, bytes)
    }

    /// Lets the direction keep a copy of its latest `capacity` delivered bytes (0: none), decided once.
    mutating func allowTail(_ capacity: Int) {
        tail.allow(capacity)
        tailAllowed = true
    }

    private mutating func accept(_ piece: StreamPiece, limits: TCPReassemblyLimits, into output: inout DirectionOutput)
    {
        guard piece.end > next else { return compareWithDelivered(piece, into: &output) }
        var piece = piece
        if !pending.isEmpty { keepHeldBytes(over: &piece, into: &output) }
        if piece.offset <= next {
            if piece.offset < next { compareWithDelivered(piece, into: &output) }
            deliver(piece, into: &output)
            drain(into: &output)
            return
        }
        // Held on its own: a slice would keep the whole read buffer it came from (shared with other streams'
        // segments) alive, so the bytes counted would not be the memory held.
        var held = piece
        if piece.bytes.storageCapacity > piece.bytes.readableBytes {
            held.bytes = ByteBufferAllocator().buffer(capacity: piece.bytes.readableBytes)
            held.bytes.writeImmutableBuffer(piece.bytes)
        }
        let index = pending.firstIndex { $0.offset > piece.offset } ?? pending.endIndex
        pending.insert(held, at: index)
        pendingBytes += piece.bytes.readableBytes
        while pendingBytes > limits.maxBufferedBytesPerDirection
            || pending.count > limits.maxBufferedSegmentsPerDirection
        {
            skipToFirstPending(detectedAt: piece.packet, into: &output)
        }
    }

    /// Reports a segment that repeats delivered bytes with other bytes: compared byte for byte where it overlaps
    /// the copy of the latest delivered bytes (``tail``, wholly or in part, at either end), otherwise by digest
    /// when it repeats the exact range of a recent segment. Bytes past the delivery point are not compared here.
    private func compareWithDelivered(_ piece: StreamPiece, into output: inout DirectionOutput) {
        let kept = piece.bytes.withUnsafeReadableBytes { tail.compare(offset: piece.offset, $0) }
        let length = piece.bytes.readableBytes
        if let kept, kept.offset == piece.offset, kept.length == length {
            if kept.differs { output.conflict(at: kept.offset, length: kept.length, packet: piece.packet) }
        } else if piece.missing == 0, piece.end <= next, recent.differs(offset: piece.offset, piece.bytes, tail: tail) {
            output.conflict(at: piece.offset, length: length, packet: piece.packet)
        } else if let kept, kept.differs {
            output.conflict(at: kept.offset, length: kept.length, packet: piece.packet)
        }
    }

    /// Compares `piece` with each segment held out of order whose captured bytes it overlaps: where they differ,
    /// the conflict is reported and the held bytes (the first copy) replace the piece's (a copy of them: the read
    /// buffer is not written).
    private func keepHeldBytes(over piece: inout StreamPiece, into output: inout DirectionOutput) {
        let pieceEnd = piece.offset + Int64(piece.bytes.readableBytes)
        for held in pending {
            if held.offset >= pieceEnd { break }
            let start = max(held.offset, piece.offset)
            let end = min(held.offset + Int64(held.bytes.readableBytes), pieceEnd)
            guard start < end else { continue }
            let length = Int(end - start)
            let at = piece.bytes.readerIndex + Int(start - piece.offset)
            let theirs = held.bytes.getSlice(at: held.bytes.readerIndex + Int(start - held.offset), length: length)!
            guard piece.bytes.getSlice(at: at, length: length) != theirs else { continue }
            output.conflict(at: start, length: length, packet: piece.packet)
            piece.bytes.setBuffer(theirs, at: at)
        }
    }

    /// Delivers the part of `piece` past `next`; a cut tail becomes a precise gap.
    private mutating func deliver(_ piece: StreamPiece, into output: inout DirectionOutput) {
        let skip = Int(next - piece.offset)
        let available = piece.bytes.readableBytes
        if skip < available {
            let bytes =
                skip == 0
                ? piece.bytes : piece.bytes.getSlice(at: piece.bytes.readerIndex + skip, length: available - skip)!
            rememberDelivered(offset: next, bytes)
            output.events.append(
                .data(
                    output.id, output.direction,
                    StreamData(bytes: bytes, streamOffset: next, packet: piece.packet, timestamp: piece.timestamp)))
            next += Int64(available - skip)
        }
        if piece.end > next {
            output.gap(
                StreamGap(
                    streamOffset: next, length: piece.end - next,
                    cause: .truncatedPacket(packet: piece.packet), detectedAtPacket: piece.packet))
            next = piece.end
        }
    }

    private mutating func drain(into output: inout DirectionOutput) {
        while let first = pending.first, first.offset <= next {
            pending.removeFirst()
            pendingBytes -= first.bytes.readableBytes
            if first.end > next { deliver(first, into: &output) } else { compareWithDelivered(first, into: &output) }
        }
    }

    /// Declares the hole before the first buffered segment a gap and delivers from there.
    private mutating func skipToFirstPending(detectedAt packet: Int, into output: inout DirectionOutput) {
        guard let first = pending.first else { return }
        declareGap(upTo: first.offset, detectedAt: packet, into: &output)
    }

    /// Gives up waiting for the holes before the buffered segments: each becomes a gap of missing segments
    /// detected at `packet`, and every buffered byte is delivered.
    mutating func flushPending(detectedAt packet: Int, into output: inout DirectionOutput) {
        while !pending.isEmpty { skipToFirstPending(detectedAt: packet, into: &output) }
    }

    /// The stream offset of the first buffered segment, if any.
    var firstPendingOffset: Int64? { pending.first?.offset }

    /// Declares the bytes from the delivery point to `end` a gap of missing segments and delivers what follows.
    mutating func declareGap(upTo end: Int64, detectedAt packet: Int, into output: inout DirectionOutput) {
        guard end > next else { return }
        output.gap(
            StreamGap(streamOffset: next, length: end - next, cause: .missingSegments, detectedAtPacket: packet))
        next = end
        drain(into: &output)
    }

    mutating func closeIfFinReached(into output: inout DirectionOutput) {
        guard let finOffset, next >= finOffset, !closed else { return }
        closed = true
        output.events.append(.closed(output.id, output.direction, .fin))
    }

    /// Ends the direction: remaining holes become gaps, buffered bytes are delivered.
    mutating func finish(_ reason: StreamCloseReason, lastPacket: Int, into output: inout DirectionOutput) {
        guard !closed else { return }
        flushPending(detectedAt: lastPacket, into: &output)
        if let finOffset, next < finOffset {
            output.gap(
                StreamGap(
                    streamOffset: next, length: finOffset - next, cause: .missingSegments,
                    detectedAtPacket: lastPacket))
            next = finOffset
        }
        closed = true
        output.events.append(.closed(output.id, output.direction, finOffset == nil ? reason : .fin))
    }
}
