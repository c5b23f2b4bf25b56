import NIOCore

/// A TCP connection in a capture, numbered from 0 in order of first appearance (as Wireshark's `tcp.stream`,
/// counting only connections that carry a SYN or data).
public struct StreamID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 0-based index.
    public let index: Int
    /// Creates an identifier.
    public init(index: Int) { self.index = index }
    /// Orders by index.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.index < rhs.index }
    /// `stream N`.
    public var description: String { "stream \(index)" }
}

/// One of the two byte streams of a TCP connection.
public enum StreamDirection: Int, Hashable, Sendable, CaseIterable {
    /// From the connecting side (the SYN sender) to the listening side.
    case clientToServer = 0
    /// From the listening side to the connecting side.
    case serverToClient = 1
}

/// The identity of a reassembled connection.
public struct TCPStreamInfo: Hashable, Sendable {
    /// The connection's number.
    public var id: StreamID
    /// The SYN sender; when no SYN was captured, the sender of the first packet seen.
    public var client: Endpoint
    /// The other end.
    public var server: Endpoint
    /// Whether the connection's SYN was captured (otherwise the capture started mid-stream).
    public var handshakeSeen: Bool
    /// The number of the connection's first packet.
    public var firstPacket: Int
    /// When the first packet was captured.
    public var firstTimestamp: CaptureTimestamp
}

/// Bytes delivered in stream order.
public struct StreamData: Sendable {
    /// The bytes.
    public var bytes: ByteBuffer
    /// The offset of the first byte in the direction's byte stream (0 is the byte after the SYN or the first byte seen).
    public var streamOffset: Int64
    /// The packet that carried these bytes.
    public var packet: Int
    /// When that packet was captured.
    public var timestamp: CaptureTimestamp
}

/// A range of a byte stream that the capture does not hold.
public struct StreamGap: Hashable, Sendable {
    /// Why the bytes are missing.
    public enum Cause: Hashable, Sendable {
        /// The snap length cut packet `packet`: its segment is known, its tail bytes are not.
        case truncatedPacket(packet: Int)
        /// Segments were never captured (dropped by the capture, or lost before a retransmission was seen).
        case missingSegments
    }

    /// Where the missing range starts.
    public var streamOffset: Int64
    /// How many bytes are missing, when known.
    public var length: Int64?
    /// Why.
    public var cause: Cause
    /// The packet whose arrival revealed the gap.
    public var detectedAtPacket: Int

    /// The cut packet for a truncation, otherwise the packet that revealed the gap.
    public var packet: Int {
        if case .truncatedPacket(let packet) = cause { return packet }
        return detectedAtPacket
    }

    /// Creates a gap description.
    public init(streamOffset: Int64, length: Int64?, cause: Cause, detectedAtPacket: Int) {
        self.streamOffset = streamOffset
        self.length = length
        self.cause = cause
        self.detectedAtPacket = detectedAtPacket
    }
}

/// Two captured copies of the same bytes of a stream that differ: which one the receiver took is unknown. The
/// first copy captured is the one delivered.
public struct StreamConflict: Hashable, Sendable {
    /// Where the bytes that differ start.
    public var streamOffset: Int64
    /// How many bytes the copies share (some of them differ).
    public var length: Int
    /// The packet of the later copy.
    public var packet: Int

    /// Creates a conflict description.
    public init(streamOffset: Int64, length: Int, packet: Int) {
        self.streamOffset = streamOffset
        self.length = length
        self.packet = packet
    }
}

/// Why a direction of a connection ended.
public enum StreamCloseReason: Hashable, Sendable {
    /// A FIN, after every byte before it was delivered.
    case fin
    /// A RST from either side.
    case reset
    /// The capture ended first.
    case endOfCapture
    /// Too many connections were open; the least recently active one was closed.
    case evicted
    /// A new SYN with a different initial sequence number reused the same addresses and ports.
    case reused
}

/// What TCP reassembly reports, in order.
public enum ReassemblyEvent: Sendable {
    /// A connection was seen for the first time.
    case opened(TCPStreamInfo)
    /// The capture started inside this direction's byte stream: its first byte is not the stream's first byte.
    case midstreamStart(StreamID, StreamDirection, packet: Int)
    /// The next bytes of a direction, in order, without duplicates.
    case data(StreamID, StreamDirection, StreamData)
    /// Bytes that the capture lacks: decoding past this point cannot be trusted.
    case gap(StreamID, StreamDirection, StreamGap)
    /// A segment repeated bytes already captured (delivered or held) with other bytes; the first copy stands.
    case conflictingCopies(StreamID, StreamDirection, StreamConflict)
    /// A direction ended.
    case closed(StreamID, StreamDirection, StreamCloseReason)
    /// Both directions ended; no further events name this stream.
    case finished(StreamID)
}

extension ReassemblyEvent {
    /// The packet that revealed the event, when it names one.
    var packet: Int? {
        switch self {
        case .opened(let info): info.firstPacket
        case .midstreamStart(_, _, let packet): packet
        case .data(_, _, let data): data.packet
        case .gap(_, _, let gap): gap.detectedAtPacket
        case .conflictingCopies(_, _, let conflict): conflict.packet
        case .closed, .finished: nil
        }
    }
}

/// Bounds on reassembly memory.
public struct TCPReassemblyLimits: Hashable, Sendable {
    /// Out-of-order bytes held per direction; beyond it the earliest hole is declared a gap.
    public var maxBufferedBytesPerDirection: Int
    /// Out-of-order segments held per direction.
    public var maxBufferedSegmentsPerDirection: Int
    /// Connections tracked at once; beyond it the least recently active is closed.
    public var maxOpenStreams: Int
    /// Finished connections remembered, so that their late retransmissions do not open new streams.
    public var finishedStreamMemory: Int
    /// Out-of-order bytes held over all connections together; beyond it the direction holding the most gives
    /// up waiting: its holes are declared gaps and its buffered bytes delivered.
    public var maxBufferedBytesTotal: Int
    /// Delivered bytes each direction keeps a copy of (its latest ones), so that a retransmission overlapping them
    /// in part is compared byte for byte with what was decoded. 64 KiB by default: the largest milter body chunk.
    public var maxKeptDeliveredBytesPerDirection: Int
    /// The copies of delivered bytes over all connections together, each direction counted at its full
    /// ``maxKeptDeliveredBytesPerDirection`` from its first byte on: a direction that starts while the total is
    /// taken keeps no copy, and a partial overlap of its delivered bytes is then compared only where it repeats
    /// a recent segment exactly. 64 MiB by default, the budget of frames being received: 512 connections at once.
    public var maxKeptDeliveredBytesTotal: Int

    /// Creates limits: by default 4 MiB and 4096 segments per direction, 256 MiB over all connections, 16384
    /// open streams; copies of the latest 64 KiB delivered per direction, 64 MiB of them over all connections.
    public init(
        maxBufferedBytesPerDirection: Int = 4 << 20, maxBufferedSegmentsPerDirection: Int = 4096,
        maxOpenStreams: Int = 16384, finishedStreamMemory: Int = 4096, maxBufferedBytesTotal: Int = 256 << 20,
        maxKeptDeliveredBytesPerDirection: Int = 64 << 10, maxKeptDeliveredBytesTotal: Int = 64 << 20
    ) {
        self.maxBufferedBytesPerDirection = maxBufferedBytesPerDirection
        self.maxBufferedSegmentsPerDirection = maxBufferedSegmentsPerDirection
        self.maxOpenStreams = maxOpenStreams
        self.finishedStreamMemory = finishedStreamMemory
        self.maxBufferedBytesTotal = maxBufferedBytesTotal
        self.maxKeptDeliveredBytesPerDirection = maxKeptDeliveredBytesPerDirection
        self.maxKeptDeliveredBytesTotal = maxKeptDeliveredBytesTotal
    }
}
