import _MilterAddress

/// Where a milter listens, parsed from the spellings that Postfix and Sendmail accept.
///
/// | text | meaning |
/// |---|---|
/// | `127.0.0.1:7044`, `localhost:7044` | TCP |
/// | `[::1]:7044` | TCP over IPv6 |
/// | `inet:HOST:PORT`, `inet6:[HOST]:PORT` | Postfix `smtpd_milters` syntax |
/// | `inet:PORT@HOST`, `inet6:PORT@HOST` | Sendmail `X` option syntax |
/// | `unix:/path`, `local:/path`, `/path` | a unix-domain socket |
public enum MilterAddress: Hashable, Sendable, CustomStringConvertible {
    /// A TCP endpoint; `host` carries no brackets.
    case inet(host: String, port: Int)
    /// A unix-domain socket.
    case unix(path: String)

    /// Why an address could not be parsed.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The text that was refused.
        public var text: String
        /// What is wrong with it.
        public var reason: String

        /// The refusal in words.
        public var description: String { "invalid milter address '\(text)': \(reason)" }
    }

    /// Parses an address in any of the accepted spellings (the same as `reference-milter daemon` takes).
    /// `fd:N`, a descriptor a daemon inherits to listen on, names nothing to connect to and is refused here.
    public init(parsing text: String) throws(ParseError) {
        // Not taken for the host `fd` (`cannot resolve fd` once the run had started).
        if text.hasPrefix("fd:") {
            throw ParseError(
                text: text,
                reason: "fd:N is a descriptor a daemon listens on, not a milter to connect to: write HOST:PORT, "
                    + "inet:PORT@HOST or unix:/path")
        }
        do {
            switch try AddressSyntax.parse(text) {
            case .inet(let host, let port): self = .inet(host: host, port: port)
            case .unix(let path): self = .unix(path: path)
            }
        } catch {
            throw ParseError(text: text, reason: error.reason)
        }
    }

    /// The address in Postfix syntax.
    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .inet(let host, let port): host.contains(":") ? "inet:[\(host)]:\(port)" : "inet:\(host):\(port)"
        }
    }
}
