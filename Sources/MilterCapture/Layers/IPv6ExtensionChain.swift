import MailMessage
import NIOCore

/// Walks IPv6 extension headers up to the upper-layer protocol.
struct ExtensionChain {
    var bytes: ByteBuffer
    /// Bytes of the IPv6 payload not yet walked.
    var remaining: Int
    /// The next header value.
    var next: UInt8

    /// Hop-by-hop, routing, destination options, mobility, HIP and shim6 share the (length + 1) * 8 layout.
    private static let optionLike: Set<UInt8> = [0, 43, 60, 135, 139, 140]
    private static let fragment: UInt8 = 44
    private static let authentication: UInt8 = 51

    /// Returns nil when an upper-layer protocol is reached (then ``next`` names it), an outcome otherwise.
    mutating func walk(source: IPAddress, destination: IPAddress) -> IPLayer.Outcome? {
        while true {
            let length: Int
            if Self.optionLike.contains(next) {
                guard let byte = bytes.getInteger(at: bytes.readerIndex + 1, as: UInt8.self) else { return truncated }
                length = (Int(byte) + 1) * 8
            } else if next == Self.authentication {
                guard let byte = bytes.getInteger(at: bytes.readerIndex + 1, as: UInt8.self) else { return truncated }
                length = (Int(byte) + 2) * 4
            } else if next == Self.fragment {
                guard bytes.readableBytes >= 8 else { return truncated }
                if let outcome = fragmentOutcome(source: source, destination: destination) { return outcome }
                length = 8
            } else {
                return nil
            }
            guard bytes.readableBytes >= length, remaining >= length else { return truncated }
            next = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self)!
            bytes.moveReaderIndex(forwardBy: length)
            remaining -= length
        }
    }

    private var truncated: IPLayer.Outcome { .failure(.truncatedHeader(layer: "IPv6 extension")) }

    /// A fragment header with offset 0 and no more fragments (an atomic fragment) is walked through.
    private func fragmentOutcome(source: IPAddress, destination: IPAddress) -> IPLayer.Outcome? {
        let start = bytes.readerIndex
        let field = bytes.getInteger(at: start + 2, as: UInt16.self)!
        let offset = Int(field & 0xFFF8)
        let more = field & 1 != 0
        guard offset != 0 || more else { return nil }
        return .fragment(
            IPFragment(
                source: source, destination: destination,
                identification: bytes.getInteger(at: start + 4, as: UInt32.self)!, offset: offset, moreFragments: more,
                nextProtocol: bytes.getInteger(at: start, as: UInt8.self)!))
    }
}
