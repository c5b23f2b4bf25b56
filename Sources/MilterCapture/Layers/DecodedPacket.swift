import MailMessage
import NIOCore

/// The TCP control flags.
public struct TCPFlags: OptionSet, Hashable, Sendable {
    /// The flag bits as in the TCP header's 13th byte.
    public let rawValue: UInt8
    /// Creates flags from the header byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// FIN: the sender has no more data.
    public static let fin = TCPFlags(rawValue: 0x01)
    /// SYN: synchronise sequence numbers.
    public static let syn = TCPFlags(rawValue: 0x02)
    /// RST: reset the connection.
    public static let rst = TCPFlags(rawValue: 0x04)
    /// PSH: push.
    public static let psh = TCPFlags(rawValue: 0x08)
    /// ACK: the acknowledgement number is valid.
    public static let ack = TCPFlags(rawValue: 0x10)
}

/// A TCP segment taken out of its link and IP headers.
public struct TCPSegment: Sendable {
    /// The sender.
    public var source: Endpoint
    /// The receiver.
    public var destination: Endpoint
    /// The sequence number of the first payload byte (or of the SYN).
    public var sequenceNumber: UInt32
    /// The acknowledgement number.
    public var acknowledgementNumber: UInt32
    /// The control flags.
    public var flags: TCPFlags
    /// The payload bytes that were captured.
    public var payload: ByteBuffer
    /// Payload bytes that the IP length announces but the capture does not hold (cut by the snap length).
    public var missingPayloadBytes: Int

    /// Creates a segment; `missingPayloadBytes` is nonzero only for segments decoded from cut packets.
    public init(
        source: Endpoint, destination: Endpoint, sequenceNumber: UInt32, acknowledgementNumber: UInt32,
        flags: TCPFlags, payload: ByteBuffer = ByteBuffer(), missingPayloadBytes: Int = 0
    ) {
        self.source = source
        self.destination = destination
        self.sequenceNumber = sequenceNumber
        self.acknowledgementNumber = acknowledgementNumber
        self.flags = flags
        self.payload = payload
        self.missingPayloadBytes = missingPayloadBytes
    }

    /// The payload length on the wire: captured plus missing bytes.
    public var payloadLength: Int { payload.readableBytes + missingPayloadBytes }
}

/// An IP fragment: reported, never reassembled (milter traffic on a sane network is not fragmented).
public struct IPFragment: Hashable, Sendable {
    /// The sender.
    public var source: IPAddress
    /// The receiver.
    public var destination: IPAddress
    /// The fragment identification (16 bits for IPv4, 32 for IPv6).
    public var identification: UInt32
    /// The fragment's byte offset in the original datagram.
    public var offset: Int
    /// Whether more fragments follow.
    public var moreFragments: Bool
    /// The upper-layer protocol number (6 is TCP).
    public var nextProtocol: UInt8
}

/// Why a packet could not be taken apart.
public enum PacketDecodeFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The interface's link type is not one this module decodes.
    case unsupportedLinkType(LinkType)
    /// The capture ends inside the header of `layer`.
    case truncatedHeader(layer: String)
    /// The header of `layer` is invalid.
    case invalidHeader(layer: String, reason: String)

    /// A short description.
    public var description: String {
        switch self {
        case .unsupportedLinkType(let type): "unsupported link type \(type)"
        case .truncatedHeader(let layer): "\(layer) header cut short"
        case .invalidHeader(let layer, let reason): "invalid \(layer) header: \(reason)"
        }
    }
}

/// A captured packet after link, network and transport decoding.
public enum DecodedPacket: Sendable {
    /// A TCP segment.
    case tcp(TCPSegment)
    /// An IPv4 or IPv6 fragment.
    case fragment(IPFragment)
    /// IP traffic other than TCP, or a link-layer frame that carries no IP (ARP, LLC...).
    case notTCP
    /// A packet that could not be decoded.
    case undecodable(PacketDecodeFailure)
}
