/// Where the server listens.
public enum ListenAddress: Hashable, Sendable, CustomStringConvertible {
    /// A TCP address: `127.0.0.1:7044`, `[::1]:7044`, `localhost:7044`.
    case tcp(host: String, port: Int)
    /// A unix-domain socket, created with mode 0660; a stale socket file is removed first.
    case unix(path: String)
    /// A listening socket inherited from the parent process, by descriptor.
    case inherited(descriptor: Int32)

    /// The default: loopback only. srmilter's `0.0.0.0` would expose an unauthenticated service.
    public static let `default` = ListenAddress.tcp(host: "127.0.0.1", port: 7044)

    /// Parses `HOST:PORT`, `[V6]:PORT`, `unix:/path`, `fd:N` or a bare port.
    public init?(parsing text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { return nil }
            self = .unix(path: path)
        } else if text.hasPrefix("fd:") {
            guard let fd = Int32(text.dropFirst(3)), fd >= 0 else { return nil }
            self = .inherited(descriptor: fd)
        } else if let port = Int(text) {
            guard (0...65_535).contains(port) else { return nil }
            self = .tcp(host: "127.0.0.1", port: port)
        } else if let (host, port) = Self.hostAndPort(text) {
            self = .tcp(host: host, port: port)
        } else {
            return nil
        }
    }

    private static func hostAndPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else { return nil }
        var host = text[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
        } else if host.contains(":") {
            return nil  // an IPv6 address needs brackets
        }
        guard !host.isEmpty else { return nil }
        return (String(host), port)
    }

    /// The address in the form ``init(parsing:)`` reads.
    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): "unix:\(path)"
        case .inherited(let descriptor): "fd:\(descriptor)"
        }
    }
}
