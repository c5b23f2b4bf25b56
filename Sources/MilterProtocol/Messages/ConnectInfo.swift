import NIOCore

/// The payload of CONNECT (`C`): the client's host name and address.
///
/// Wire form: `hostname\0`, a family byte, then for families `4`, `6` and `L` a port in
/// network byte order and `address\0`; family `U` carries nothing more.
/// Postfix sends `[1.2.3.4]` as the host name of a client without reverse DNS (pitfall 23).
public struct ConnectInfo: Hashable, Sendable {
    /// The client's address, by family.
    public enum Address: Hashable, Sendable {
        /// Family `U`: no address is known.
        case unknown
        /// Family `L`: a local (unix-domain) client; the port is usually 0.
        case local(path: MilterString, port: UInt16)
        /// Family `4`: an IPv4 client.
        case inet(address: MilterString, port: UInt16)
        /// Family `6`: an IPv6 client. Sendmail prefixes the text with `IPv6:` (pitfall 12).
        case inet6(address: MilterString, port: UInt16)
    }

    /// The client's host name as the MTA knows it.
    public var hostname: MilterString
    /// The client's address.
    public var address: Address

    /// Creates a CONNECT payload.
    public init(hostname: MilterString, address: Address) {
        self.hostname = hostname
        self.address = address
    }
}

extension ConnectInfo.Address {
    /// The family byte on the wire.
    public var familyByte: UInt8 {
        switch self {
        case .unknown: UInt8(ascii: "U")
        case .local: UInt8(ascii: "L")
        case .inet: UInt8(ascii: "4")
        case .inet6: UInt8(ascii: "6")
        }
    }
}

extension ByteBuffer {
    @usableFromInline
    mutating func readConnectInfo() throws(MilterProtocolError) -> ConnectInfo {
        let hostname = try readMilterString()
        guard let family = readInteger(as: UInt8.self) else {
            throw MilterProtocolError(.malformedPayload, detail: "CONNECT lacks its family byte")
        }
        if family == UInt8(ascii: "U") {
            try expectEmpty("CONNECT family U")
            return ConnectInfo(hostname: hostname, address: .unknown)
        }
        guard let port = readInteger(endianness: .big, as: UInt16.self) else {
            throw MilterProtocolError(.malformedPayload, detail: "CONNECT lacks its port")
        }
        let address = try readMilterString()
        try expectEmpty("CONNECT after the address")
        switch family {
        case UInt8(ascii: "4"): return ConnectInfo(hostname: hostname, address: .inet(address: address, port: port))
        case UInt8(ascii: "6"): return ConnectInfo(hostname: hostname, address: .inet6(address: address, port: port))
        case UInt8(ascii: "L"): return ConnectInfo(hostname: hostname, address: .local(path: address, port: port))
        default:
            throw MilterProtocolError(
                .malformedPayload, detail: "unknown CONNECT family \(Redaction.describe(byte: family))")
        }
    }

    @usableFromInline
    mutating func writeConnectInfo(_ info: ConnectInfo) throws(MilterProtocolError) {
        try writeMilterString(info.hostname)
        writeInteger(info.address.familyByte)
        switch info.address {
        case .unknown: break
        case .local(let text, let port), .inet(let text, let port), .inet6(let text, let port):
            writeInteger(port, endianness: .big)
            try writeMilterString(text)
        }
    }
}
