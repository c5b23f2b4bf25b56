import NIOCore

/// A point in time as recorded in a capture file: seconds and nanoseconds since the Unix epoch.
public struct CaptureTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int64
    /// Nanoseconds within the second, `0..<1_000_000_000`.
    public var nanoseconds: UInt32

    /// Creates a timestamp.
    public init(seconds: Int64, nanoseconds: UInt32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// Nanoseconds since the epoch (saturating far outside the capture era).
    public var totalNanoseconds: Int64 {
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? .min : .max) : product &+ Int64(nanoseconds)
    }

    /// Orders timestamps chronologically.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// `seconds.nanoseconds`, with nine fractional digits.
    public var description: String {
        let fraction = String(nanoseconds)
        return "\(seconds).\(String(repeating: "0", count: max(0, 9 - fraction.count)))\(fraction)"
    }
}

/// A link-layer header type, as numbered by tcpdump.org's LINKTYPE_ registry.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The LINKTYPE_ number.
    public let rawValue: UInt32

    /// Creates a link type from its LINKTYPE_ number.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// LINKTYPE_NULL: BSD loopback, a 4-byte address family in the capturing host's byte order.
    public static let null = LinkType(rawValue: 0)
    /// LINKTYPE_ETHERNET (DLT_EN10MB).
    public static let ethernet = LinkType(rawValue: 1)
    /// LINKTYPE_RAW: a bare IPv4 or IPv6 packet.
    public static let raw = LinkType(rawValue: 101)
    /// LINKTYPE_LOOP: OpenBSD loopback, a 4-byte address family in network byte order.
    public static let loop = LinkType(rawValue: 108)
    /// LINKTYPE_LINUX_SLL: Linux cooked capture v1 (`tcpdump -i any` before libpcap 1.10).
    public static let linuxSLL = LinkType(rawValue: 113)
    /// LINKTYPE_IPV4: a bare IPv4 packet.
    public static let ipv4 = LinkType(rawValue: 228)
    /// LINKTYPE_IPV6: a bare IPv6 packet.
    public static let ipv6 = LinkType(rawValue: 229)
    /// LINKTYPE_LINUX_SLL2: Linux cooked capture v2 (`tcpdump -i any` with libpcap 1.10+).
    public static let linuxSLL2 = LinkType(rawValue: 276)

    /// The LINKTYPE_ name for the types this module decodes, the number otherwise.
    public var description: String {
        let names: [UInt32: String] = [
            0: "NULL", 1: "EN10MB", 101: "RAW", 108: "LOOP", 113: "LINUX_SLL", 228: "IPV4", 229: "IPV6",
            276: "LINUX_SLL2",
        ]
        return names[rawValue] ?? "LINKTYPE \(rawValue)"
    }
}

/// One captured packet, with the metadata its file format recorded.
public struct CapturePacket: Sendable {
    /// The packet's position in the file, from 1, counted across pcapng sections as Wireshark does.
    public var number: Int
    /// When the packet was captured.
    public var timestamp: CaptureTimestamp
    /// The link-layer header type of the packet's interface.
    public var linkType: LinkType
    /// The pcapng interface index within its section (0 for pcap).
    public var interfaceIndex: Int
    /// The length of the packet on the wire.
    public var originalLength: Int
    /// The bytes that were captured: at most ``originalLength``, fewer when the snap length cut the packet.
    public var data: ByteBuffer
    /// The file offset of the packet's record or block.
    public var fileOffset: UInt64

    /// Creates a packet.
    public init(
        number: Int, timestamp: CaptureTimestamp, linkType: LinkType, interfaceIndex: Int, originalLength: Int,
        data: ByteBuffer, fileOffset: UInt64
    ) {
        self.number = number
        self.timestamp = timestamp
        self.linkType = linkType
        self.interfaceIndex = interfaceIndex
        self.originalLength = originalLength
        self.data = data
        self.fileOffset = fileOffset
    }

    /// How many bytes of the packet the capture left out.
    public var missingByteCount: Int { max(0, originalLength - data.readableBytes) }
}

/// Limits that bound the memory a capture reader may use, checked before anything is buffered.
public struct CaptureReaderLimits: Hashable, Sendable {
    /// The largest pcap record or pcapng block accepted, in bytes.
    public var maxRecordBytes: Int

    /// Creates limits; the default accepts records up to 1 MiB, four times libpcap's largest snap length.
    public init(maxRecordBytes: Int = 1 << 20) {
        self.maxRecordBytes = maxRecordBytes
    }
}
