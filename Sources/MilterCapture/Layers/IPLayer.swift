import MailMessage
import NIOCore

/// An IP packet's transport payload, with the addressing the transport layer needs.
struct IPPayload {
    var source: IPAddress
    var destination: IPAddress
    var nextProtocol: UInt8
    /// The captured transport bytes, already cut to the IP length (Ethernet padding removed).
    var bytes: ByteBuffer
    /// Transport bytes the IP length announces but the capture lacks.
    var missing: Int
}

/// Decodes IPv4 and IPv6 headers, including IPv6 extension headers and fragments of both.
enum IPLayer {
    enum Outcome {
        case payload(IPPayload)
        case fragment(IPFragment)
        case failure(PacketDecodeFailure)
    }

    /// `missingFromFrame` is how many bytes the capture cut off the packet, used when the IP length is 0 (TSO).
    static func decodeIPv4(_ packet: ByteBuffer, missingFromFrame: Int) -> Outcome {
        var bytes = packet
        guard bytes.readableBytes >= 20 else { return .failure(.truncatedHeader(layer: "IPv4")) }
        let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self)!
        let headerLength = Int(first & 0x0F) * 4
        guard first >> 4 == 4, headerLength >= 20 else {
            return .failure(.invalidHeader(layer: "IPv4", reason: "version/IHL byte \(first)"))
        }
        guard bytes.readableBytes >= headerLength else { return .failure(.truncatedHeader(layer: "IPv4")) }
        let start = bytes.readerIndex
        var totalLength = Int(bytes.getInteger(at: start + 2, as: UInt16.self)!)
        if totalLength == 0 { totalLength = bytes.readableBytes + missingFromFrame }  // segmentation offload
        guard totalLength >= headerLength else {
            return .failure(.invalidHeader(layer: "IPv4", reason: "total length \(totalLength) < header length"))
        }
        let fragmentField = bytes.getInteger(at: start + 6, as: UInt16.self)!
        let nextProtocol = bytes.getInteger(at: start + 9, as: UInt8.self)!
        let source = IPAddress.v4(bytes.getInteger(at: start + 12, as: UInt32.self)!)
        let destination = IPAddress.v4(bytes.getInteger(at: start + 16, as: UInt32.self)!)
        let offset = Int(fragmentField & 0x1FFF) * 8
        let more = fragmentField & 0x2000 != 0
        if offset != 0 || more {
            let id = UInt32(bytes.getInteger(at: start + 4, as: UInt16.self)!)
            return .fragment(
                IPFragment(
                    source: source, destination: destination, identification: id,
                    offset: offset, moreFragments: more, nextProtocol: nextProtocol))
        }
        bytes.moveReaderIndex(forwardBy: headerLength)
        return .payload(cut(bytes, to: totalLength - headerLength, source, destination, nextProtocol))
    }

    static func decodeIPv6(_ packet: ByteBuffer, missingFromFrame: Int) -> Outcome {
        var bytes = packet
        guard bytes.readableBytes >= 40 else { return .failure(.truncatedHeader(layer: "IPv6")) }
        let start = bytes.readerIndex
        guard bytes.getInteger(at: start, as: UInt8.self)! >> 4 == 6 else {
            return .failure(.invalidHeader(layer: "IPv6", reason: "version is not 6"))
        }
        var payloadLength = Int(bytes.getInteger(at: start + 4, as: UInt16.self)!)
        var next = bytes.getInteger(at: start + 6, as: UInt8.self)!
        let source = IPAddress.v6(bytes.getInteger(at: start + 8)!, bytes.getInteger(at: start + 16)!)
        let destination = IPAddress.v6(bytes.getInteger(at: start + 24)!, bytes.getInteger(at: start + 32)!)
        bytes.moveReaderIndex(forwardBy: 40)
        if payloadLength == 0 { payloadLength = bytes.readableBytes + missingFromFrame }  // jumbogram or offload
        var chain = ExtensionChain(bytes: bytes, remaining: payloadLength, next: next)
        switch chain.walk(source: source, destination: destination) {
        case .some(let outcome): return outcome
        case .none:
            next = chain.next
            payloadLength = chain.remaining
            return .payload(cut(chain.bytes, to: payloadLength, source, destination, next))
        }
    }

    /// Limits the transport bytes to the IP length and counts what the capture lacks.
    static func cut(
        _ bytes: ByteBuffer, to length: Int, _ source: IPAddress, _ destination: IPAddress, _ next: UInt8
    ) -> IPPayload {
        let available = min(length, bytes.readableBytes)
        return IPPayload(
            source: source, destination: destination, nextProtocol: next,
            bytes: bytes.getSlice(at: bytes.readerIndex, length: available)!, missing: length - available)
    }
}
