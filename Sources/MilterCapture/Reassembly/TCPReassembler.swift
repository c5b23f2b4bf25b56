/// Reassembles the TCP connections of a capture into ordered byte streams, in bounded memory.
///
/// Feed it every decoded segment in capture order with ``process(_:packet:timestamp:into:)``, then call
/// ``finish(into:)`` once. Events come out in the order they can be known.
public struct TCPReassembler {
    /// The memory bounds in force.
    public let limits: TCPReassemblyLimits
    private var streams: [FlowKey: TCPConnection] = [:]
    /// The open connections by last activity, for eviction.
    private var recency = RecencyQueue()
    private var finished = FinishedFlows()
    private var nextIndex = 0
    /// The connection of the previous packet: consecutive packets mostly belong to one, so most skip the hashing.
    private var recentKey: FlowKey?
    private var recentConnection: TCPConnection?
    /// Out-of-order bytes held over all open connections.
    private(set) var bufferedBytes = 0
    /// Copies of delivered bytes allowed over all open connections (see ``TCPReassemblyLimits/maxKeptDeliveredBytesTotal``).
    private(set) var keptDeliveredBytes = 0

    /// Creates a reassembler.
    public init(limits: TCPReassemblyLimits = TCPReassemblyLimits()) {
        self.limits = limits
    }

    /// Adds one segment, appending what it reveals to `events`.
    public mutating func process(
        _ segment: TCPSegment, packet: Int, timestamp: CaptureTimestamp, into events: inout [ReassemblyEvent]
    ) {
        let key = FlowKey(segment.source, segment.destination)
        let isOpeningSYN = segment.flags.contains(.syn) && !segment.flags.contains(.ack)
        if isOpeningSYN, let existing = connection(for: key), existing.isNewConnection(segment) {
            end(existing, key: key, reason: .reused, packet: packet, into: &events)
        }
        guard let connection = connection(for: key) ?? open(segment, key: key, packet: packet, timestamp, &events)
        else { return }
        remember(key, connection)
        connection.lastPacket = packet
        let heldBefore = connection.bufferedBytes
        let direction = connection.direction(of: segment)
        allowTail(connection, direction)
        connection.acknowledge(segment, from: direction, packet: packet, into: &events)
        // The caller's array is moved in and out, so the common case allocates nothing.
        var output = DirectionOutput(id: connection.info.id, direction: direction, events: [])
        swap(&output.events, &events)
        connection.directions[direction.rawValue].receive(
            segment, packet: packet, timestamp: timestamp, limits: limits, into: &output)
        swap(&output.events, &events)
        bufferedBytes += connection.bufferedBytes - heldBefore
        if bufferedBytes > limits.maxBufferedBytesTotal { giveUpLargestBuffers(packet: packet, into: &events) }
        if segment.flags.contains(.rst) {
            end(connection, key: key, reason: .reset, packet: packet, into: &events)
        } else if connection.directions[0].closed && connection.directions[1].closed {
            bufferedBytes -= connection.bufferedBytes
            keptDeliveredBytes -= connection.keptDeliveredBytes
            streams[key] = nil
            connection.isOpen = false
            forgetRecent()
            finished.remember(key, limit: limits.finishedStreamMemory)
            events.append(.finished(connection.info.id))
        }
    }

    /// Takes a segment that carries only the next bytes of a known connection's direction (no SYN, FIN or RST,
    /// nothing buffered before it, nothing cut off). ``process(_:packet:timestamp:into:)`` would have reported
    /// exactly one `.data` event for it, which the caller now handles in its own way. Any other segment is left
    /// alone (nil) for `process`.
    mutating func takeInOrder(_ segment: TCPSegment, packet: Int) -> InOrderData? {
        guard segment.isPlainData, let (key, connection, direction) = knownConnection(of: segment),
            !connection.acknowledgementIsNews(segment, from: direction)
        else { return nil }
        guard
            let offset = connection.takeInOrder(
                direction, sequenceNumber: segment.sequenceNumber, length: segment.payload.readableBytes,
                packet: packet)
        else { return nil }
        allowTail(connection, direction)
        connection.directions[direction.rawValue].rememberDelivered(offset: offset, segment.payload)
        remember(key, connection)
        return InOrderData(id: connection.info.id, direction: direction, streamOffset: offset, connection: connection)
    }

    /// Takes a bare acknowledgement (no payload, no SYN, FIN or RST) of a known connection whose direction has
    /// started: ``process(_:packet:timestamp:into:)`` would only have noted its packet. False for any other segment,
    /// which is left alone, as is one whose acknowledgement tells the other direction something (see
    /// ``TCPConnection/acknowledgementIsNews(_:from:otherNext:)``; `otherNext` is passed on).
    mutating func takeBareAcknowledgement(_ segment: TCPSegment, packet: Int, otherNext: UInt32? = nil) -> Bool {
        guard segment.flags.isDisjoint(with: [.syn, .fin, .rst]), segment.payloadLength == 0,
            let (key, connection, direction) = knownConnection(of: segment),
            connection.directions[direction.rawValue].base != nil,
            !connection.acknowledgementIsNews(segment, from: direction, otherNext: otherNext)
        else { return false }
        remember(key, connection)
        connection.lastPacket = max(connection.lastPacket, packet)
        return true
    }

    /// Decides, at a direction's first segment, whether it keeps a copy of its latest delivered bytes: it does
    /// while the total allows a whole one more.
    private mutating func allowTail(_ connection: TCPConnection, _ direction: StreamDirection) {
        guard !connection.directions[direction.rawValue].tailAllowed else { return }
        let size = limits.maxKeptDeliveredBytesPerDirection
        let granted = keptDeliveredBytes + size <= limits.maxKeptDeliveredBytesTotal ? size : 0
        connection.directions[direction.rawValue].allowTail(granted)
        keptDeliveredBytes += connection.directions[direction.rawValue].tailCapacity
    }

    /// The flow table's work so far on eviction (entries pushed, popped, compacted): tests check it
    /// grows linearly with the connections.
    var evictionWork: Int { recency.work }

    /// Ends every open connection at the end of the capture, in stream order.
    public mutating func finish(lastPacket: Int, into events: inout [ReassemblyEvent]) {
        for (key, connection) in streams.sorted(by: { $0.value.info.id < $1.value.info.id }) {
            end(connection, key: key, reason: .endOfCapture, packet: lastPacket, into: &events)
        }
    }

    private mutating func open(
        _ segment: TCPSegment, key: FlowKey, packet: Int, _ timestamp: CaptureTimestamp,
        _ events: inout [ReassemblyEvent]
    ) -> TCPConnection? {
        let syn = segment.flags.contains(.syn)
        // A bare ACK, FIN or RST of an unknown connection carries nothing to decode.
        guard syn || segment.payloadLength > 0 else { return nil }
        if !syn && finished.contains(key) { return nil }  // a late retransmission
        if streams.count >= limits.maxOpenStreams { evictLeastRecent(packet: packet, into: &events) }
        let clientIsSource = !(syn && segment.flags.contains(.ack))
        let info = TCPStreamInfo(
            id: StreamID(index: nextIndex), client: clientIsSource ? segment.source : segment.destination,
            server: clientIsSource ? segment.destination : segment.source, handshakeSeen: syn,
            firstPacket: packet, firstTimestamp: timestamp)
        nextIndex += 1
        let connection = TCPConnection(info: info)
        streams[key] = connection
        recency.add(key, connection, openCount: streams.count)
        finished.forget(key)
        events.append(.opened(info))
        return connection
    }

    private mutating func evictLeastRecent(packet: Int, into events: inout [ReassemblyEvent]) {
        guard let (key, connection) = recency.takeLeastRecent() else { return }
        end(connection, key: key, reason: .evicted, packet: packet, into: &events)
    }

    /// Over the budget of out-of-order bytes for all connections: the direction holding the most, of any
    /// connection, gives up waiting for its holes (gaps detected at `packet`) until the budget holds again.
    private mutating func giveUpLargestBuffers(packet: Int, into events: inout [ReassemblyEvent]) {
        while bufferedBytes > limits.maxBufferedBytesTotal {
            var largest: (connection: TCPConnection, direction: StreamDirection, bytes: Int)?
            for connection in streams.values {
                for direction in StreamDirection.allCases {
                    let bytes = connection.directions[direction.rawValue].pendingBytes
                    if bytes > (largest?.bytes ?? 0) { largest = (connection, direction, bytes) }
                }
            }
            guard let (connection, direction, bytes) = largest else { return }
            var output = DirectionOutput(id: connection.info.id, direction: direction, events: [])
            swap(&output.events, &events)
            connection.directions[direction.rawValue].flushPending(detectedAt: packet, into: &output)
            swap(&output.events, &events)
            bufferedBytes -= bytes - connection.directions[direction.rawValue].pendingBytes
        }
    }

    private mutating func end(
        _ connection: TCPConnection, key: FlowKey, reason: StreamCloseReason, packet: Int,
        into events: inout [ReassemblyEvent]
    ) {
        bufferedBytes -= connection.bufferedBytes
        keptDeliveredBytes -= connection.keptDeliveredBytes
        for direction in StreamDirection.allCases {
            var output = DirectionOutput(id: connection.info.id, direction: direction, events: [])
            swap(&output.events, &events)
            connection.directions[direction.rawValue].finish(reason, lastPacket: packet, into: &output)
            swap(&output.events, &events)
        }
        streams[key] = nil
        connection.isOpen = false
        forgetRecent()
        finished.remember(key, limit: limits.finishedStreamMemory)
        events.append(.finished(connection.info.id))
    }

    private func connection(for key: FlowKey) -> TCPConnection? {
        if recentKey == key { return recentConnection }
        return streams[key]
    }

    /// The open connection `segment` belongs to, with its key and the segment's direction.
    private func knownConnection(of segment: TCPSegment) -> (FlowKey, TCPConnection, StreamDirection)? {
        let key = FlowKey(segment.source, segment.destination)
        guard let connection = connection(for: key) else { return nil }
        return (key, connection, connection.direction(of: segment))
    }

    private mutating func remember(_ key: FlowKey, _ connection: TCPConnection) {
        guard recentConnection !== connection else { return }
        recentKey = key
        recentConnection = connection
    }

    private mutating func forgetRecent() {
        recentKey = nil
        recentConnection = nil
    }
}

/// The two endpoints of a connection, in a fixed order so both directions find the same entry.
struct FlowKey: Hashable {
    let low: Endpoint
    let high: Endpoint

    init(_ a: Endpoint, _ b: Endpoint) {
        (low, high) = a < b ? (a, b) : (b, a)
    }
}

/// The reassembly state of one connection; a class so the dictionary entry is updated in place.
final class TCPConnection {
    let info: TCPStreamInfo
    var directions = [DirectionReassembly(), DirectionReassembly()]
    var lastPacket: Int
    /// Whether the connection is still in the table.
    var isOpen = true

    /// The out-of-order bytes its directions hold.
    var bufferedBytes: Int { directions[0].pendingBytes + directions[1].pendingBytes }
    /// The copies of delivered bytes its directions may keep.
    var keptDeliveredBytes: Int { directions[0].tailCapacity + directions[1].tailCapacity }

    init(info: TCPStreamInfo) {
        self.info = info
        self.lastPacket = info.firstPacket
    }

    /// Takes `length` bytes from `sequenceNumber` in `direction` as delivered, when they are exactly the next
    /// ones (see ``DirectionReassembly/takeInOrder(sequenceNumber:length:)``), carried by packets up to `packet`;
    /// returns their stream offset.
    func takeInOrder(_ direction: StreamDirection, sequenceNumber: UInt32, length: Int, packet: Int) -> Int64? {
        guard let offset = directions[direction.rawValue].takeInOrder(sequenceNumber: sequenceNumber, length: length)
        else { return nil }
        lastPacket = max(lastPacket, packet)
        return offset
    }

    /// The direction `segment` travels in.
    func direction(of segment: TCPSegment) -> StreamDirection {
        segment.source == info.client ? .clientToServer : .serverToClient
    }

    /// A SYN from either end that does not match the known initial sequence number starts a new connection.
    func isNewConnection(_ syn: TCPSegment) -> Bool {
        guard syn.source == info.client, let base = directions[0].base else { return true }
        return syn.sequenceNumber &+ 1 != base
    }
}

/// A bounded first-in, first-out memory of finished connections.
struct FinishedFlows {
    /// Each remembered key with the generation of its latest entry in ``order``.
    private var keys: [FlowKey: Int] = [:]
    private var order: [(key: FlowKey, generation: Int)] = []
    private var head = 0
    private var generation = 0

    func contains(_ key: FlowKey) -> Bool { keys[key] != nil }

    mutating func remember(_ key: FlowKey, limit: Int) {
        guard limit > 0 else { return }
        // Room for all at once: growing step by step rehashes every key at each step.
        if keys.isEmpty && keys.capacity < limit { keys.reserveCapacity(min(limit, 1 << 16)) }
        generation += 1
        keys[key] = generation
        order.append((key, generation))
        while keys.count > limit, head < order.count {
            let oldest = order[head]
            head += 1
            // A key forgotten, or remembered again later, has no live entry here.
            if keys[oldest.key] == oldest.generation { keys[oldest.key] = nil }
        }
        if head > limit {
            order.removeFirst(head)
            head = 0
        }
    }

    mutating func forget(_ key: FlowKey) {
        keys[key] = nil
    }
}

/// A segment that ``TCPReassembler/takeInOrder(_:packet:)`` took: where its bytes go.
struct InOrderData {
    /// The connection.
    let id: StreamID
    /// Its direction.
    let direction: StreamDirection
    /// The stream offset of the first byte.
    let streamOffset: Int64
    /// The connection's state, for a caller that takes further segments of it by ``TCPConnection/takeInOrder``.
    let connection: TCPConnection
}

extension TCPSegment {
    /// Payload and no SYN, FIN or RST, nothing cut off: what may simply continue a byte stream.
    var isPlainData: Bool {
        flags.isDisjoint(with: [.syn, .fin, .rst]) && missingPayloadBytes == 0 && payload.readableBytes > 0
    }
}
