import _MilterAddress

/// Where the server listens.
public enum ListenAddress: Hashable, Sendable, CustomStringConvertible {
    /// A TCP address: `127.0.0.1:7044`, `[::1]:7044`, `localhost:7044`.
    case tcp(host: String, port: Int)
    /// A unix-domain socket, created with ``UnixSocketOptions/mode`` (0660 by default); a stale
    /// socket file is removed first.
    case unix(path: String)
    /// A listening socket inherited from the parent process, by descriptor.
    case inherited(descriptor: Int32)

    /// The default: loopback only. srmilter's `0.0.0.0` would expose an unauthenticated service.
    public static let `default` = ListenAddress.tcp(host: "127.0.0.1", port: 7044)

    /// Why an address could not be parsed.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The text that was refused.
        public var text: String
        /// What is wrong with it.
        public var reason: String

        /// The refusal in words.
        public var description: String { "invalid listen address '\(text)': \(reason)" }
    }

    /// Parses every spelling milter-replay's `--target` takes (`HOST:PORT`, `[V6]:PORT`,
    /// `inet:PORT@HOST`, `inet6:PORT@HOST`, `inet:HOST:PORT`, `unix:/path`, `local:/path`, `/path`),
    /// plus `fd:N` and a bare port (on 127.0.0.1). Port 0 asks for an ephemeral port.
    public init(validating text: String) throws(ParseError) {
        if text.hasPrefix("fd:") {
            guard let fd = Int32(text.dropFirst(3)), fd >= 0 else {
                throw ParseError(text: text, reason: "fd: takes a descriptor number")
            }
            self = .inherited(descriptor: fd)
        } else if text.allSatisfy(\.isASCIIDigit) && !text.isEmpty {
            guard let port = Int(text), (0...65_535).contains(port) else {
                throw ParseError(text: text, reason: "the port must be a number from 0 to 65535")
            }
            self = .tcp(host: "127.0.0.1", port: port)
        } else {
            do {
                switch try AddressSyntax.parse(text, ports: 0...65_535) {
                case .inet(let host, let port): self = .tcp(host: host, port: port)
                case .unix(let path): self = .unix(path: path)
                }
            } catch {
                throw ParseError(text: text, reason: error.reason)
            }
        }
    }

    /// Parses as ``init(validating:)`` does; `nil` when the text is not an address.
    public init?(parsing text: String) {
        guard let address = try? ListenAddress(validating: text) else { return nil }
        self = address
    }

    /// The address with the port the socket was given when port 0 asked for an ephemeral one, for the
    /// log line that says where it listens; any other address is returned as it is.
    package func withBoundPort(_ boundPort: Int?) -> ListenAddress {
        guard case .tcp(let host, 0) = self, let boundPort else { return self }
        return .tcp(host: host, port: boundPort)
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

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
