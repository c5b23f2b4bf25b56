import MailMessage

/// One end of a TCP connection.
public struct Endpoint: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The IP address.
    public var address: IPAddress
    /// The TCP port.
    public var port: UInt16

    /// Creates an endpoint.
    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Orders by address, then port.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.address, lhs.port) < (rhs.address, rhs.port)
    }

    /// `1.2.3.4:25` or `[::1]:25`.
    public var description: String {
        if case .v6 = address { return "[\(address)]:\(port)" }
        return "\(address):\(port)"
    }
}
