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

    /// Parses an address in any of the accepted spellings.
    public init(parsing text: String) throws(ParseError) {
        let fail = { (reason: String) in ParseError(text: text, reason: reason) }
        if let path = Self.unixPath(text) {
            guard !path.isEmpty else { throw fail("the socket path is empty") }
            self = .unix(path: path)
            return
        }
        var rest = Substring(text)
        for prefix in ["inet6:", "inet:"] where rest.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count)
            break
        }
        let (host, portText) = try Self.split(rest, fail)
        guard !host.isEmpty else { throw fail("the host is empty") }
        guard let port = Int(portText), (1...65_535).contains(port) else {
            throw fail("the port must be a number from 1 to 65535")
        }
        self = .inet(host: host, port: port)
    }

    /// The address in Postfix syntax.
    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .inet(let host, let port): host.contains(":") ? "inet:[\(host)]:\(port)" : "inet:\(host):\(port)"
        }
    }

    private static func unixPath(_ text: String) -> String? {
        for prefix in ["unix:", "local:"] where text.hasPrefix(prefix) { return String(text.dropFirst(prefix.count)) }
        return text.hasPrefix("/") ? text : nil
    }

    /// Splits `PORT@HOST`, `[HOST]:PORT` or `HOST:PORT` into host and port text.
    private static func split(
        _ text: Substring, _ fail: (String) -> ParseError
    ) throws(ParseError) -> (String, Substring) {
        if let at = text.firstIndex(of: "@") {
            return (unbracket(text[text.index(after: at)...]), text[..<at])
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw fail("an IPv6 address lacks its ']'") }
            let afterClose = text[text.index(after: close)...]
            guard afterClose.hasPrefix(":") else { throw fail("expected ':PORT' after ']'") }
            return (String(text[text.index(after: text.startIndex)..<close]), afterClose.dropFirst())
        }
        guard let colon = text.lastIndex(of: ":") else { throw fail("expected HOST:PORT, PORT@HOST or unix:/path") }
        let host = text[..<colon]
        guard !host.contains(":") else { throw fail("write an IPv6 address in brackets: [::1]:PORT") }
        return (String(host), text[text.index(after: colon)...])
    }

    private static func unbracket(_ host: Substring) -> String {
        if host.hasPrefix("["), host.hasSuffix("]") { return String(host.dropFirst().dropLast()) }
        return String(host)
    }
}
