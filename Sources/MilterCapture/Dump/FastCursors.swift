/// One direction of a connection that a text dump follows the fast way (see ``TextDumpStage``): while its
/// segments continue it in order and hold whole frames that the renderer describes, they are rendered without a
/// call into reassembly or extraction. What those would have recorded (the bytes delivered, the last packet, the
/// last arrival) is kept here and written back before anything else reads their state.
struct FastCursor {
    let source: Endpoint
    let destination: Endpoint
    let id: StreamID
    let direction: StreamDirection
    let sender: FrameDirection
    let connection: TCPConnection
    let stream: ExtractedStream
    /// The sequence number the next segment must start with.
    private(set) var nextSequence: UInt32
    /// The sequence number of the first byte taken since the last write-back, and how many were taken.
    private var pendingStart: UInt32
    private var pendingBytes = 0
    private var lastPacket = 0
    private var lastTimestamp = CaptureTimestamp(seconds: 0, nanoseconds: 0)

    /// A cursor for the direction that a segment ending just before `nextSequence` continued.
    init(
        _ segment: TCPSegment, _ data: InOrderData, sender: FrameDirection, stream: ExtractedStream,
        nextSequence: UInt32
    ) {
        source = segment.source
        destination = segment.destination
        id = data.id
        direction = data.direction
        self.sender = sender
        connection = data.connection
        self.stream = stream
        self.nextSequence = nextSequence
        pendingStart = nextSequence
    }

    /// Whether `segment` travels in this direction.
    func matches(_ segment: TCPSegment) -> Bool {
        segment.source == source && segment.destination == destination
    }

    /// Whether `segment` belongs to this connection, in either direction.
    func sharesConnection(with segment: TCPSegment) -> Bool {
        matches(segment) || (segment.source == destination && segment.destination == source)
    }

    /// Records a segment carrying `payload` that continued the direction.
    mutating func took(_ payload: UnsafeRawBufferPointer, packet: Int, timestamp: CaptureTimestamp) {
        let length = payload.count
        // Not yet written back: the bytes taken before it come after the delivery point.
        let offset = connection.directions[direction.rawValue].next + Int64(pendingBytes)
        connection.directions[direction.rawValue].rememberDelivered(offset: offset, payload)
        nextSequence &+= UInt32(truncatingIfNeeded: length)
        pendingBytes += length
        lastPacket = packet
        lastTimestamp = timestamp
    }

    /// Tells reassembly and extraction what was taken since the last time.
    mutating func writeBack() {
        guard pendingBytes > 0 else { return }
        let delivered = connection.takeInOrder(
            direction, sequenceNumber: pendingStart, length: pendingBytes, packet: lastPacket)
        let recorded = stream.takeWholeFrames(direction, timestamp: lastTimestamp)
        assert(delivered != nil && recorded != nil, "a fast cursor's connection changed under it")
        pendingStart = nextSequence
        pendingBytes = 0
    }
}

/// The few directions a text dump follows the fast way at once.
struct FastCursors {
    private var cursors: [FastCursor] = []
    /// The most directions followed; beyond it the oldest is written back and dropped.
    static let limit = 8

    /// The cursor that `segment` continues, if it is plain data in order.
    func index(continuing segment: TCPSegment) -> Int? {
        guard segment.isPlainData,
            let index = cursors.firstIndex(where: { $0.nextSequence == segment.sequenceNumber && $0.matches(segment) })
        else { return nil }
        let cursor = cursors[index]
        let news = cursor.connection.acknowledgementIsNews(
            segment, from: cursor.direction, otherNext: nextSequence(answeredBy: segment))
        return news ? nil : index
    }

    /// The next sequence number of the followed direction that `segment` travels against, if one is followed:
    /// its bytes taken but not yet written back count as delivered.
    func nextSequence(answeredBy segment: TCPSegment) -> UInt32? {
        cursors.first { $0.source == segment.destination && $0.destination == segment.source }?.nextSequence
    }

    subscript(index: Int) -> FastCursor {
        get { cursors[index] }
        _modify { yield &cursors[index] }
    }

    /// Writes back the cursors of `segment`'s connection, before reassembly or extraction read its state, and
    /// drops the one of its direction (which the segment did not continue).
    mutating func writeBack(connectionOf segment: TCPSegment) {
        for index in cursors.indices.reversed() where cursors[index].sharesConnection(with: segment) {
            cursors[index].writeBack()
            if cursors[index].matches(segment) { cursors.remove(at: index) }
        }
    }

    /// Writes every cursor back and drops them all: the general way may change any connection's state.
    mutating func writeBackAll() {
        guard !cursors.isEmpty else { return }
        for index in cursors.indices { cursors[index].writeBack() }
        cursors.removeAll(keepingCapacity: true)
    }

    /// Follows a direction from now on.
    mutating func add(_ cursor: FastCursor) {
        if cursors.count >= Self.limit {
            cursors[0].writeBack()
            cursors.removeFirst()
        }
        cursors.append(cursor)
    }
}
