import MailMessage

/// The one parser of milter address spellings, shared by the client (`MilterAddress`, milter-replay)
/// and the server (`ListenAddress`, `reference-milter daemon`), so that both accept the same text.
///
/// | text | meaning |
/// |---|---|
/// | `127.0.0.1:7044`, `localhost:7044` | TCP |
/// | `[::1]:7044` | TCP over IPv6 |
/// | `inet:HOST:PORT`, `inet6:[HOST]:PORT` | Postfix `smtpd_milters` syntax |
/// | `inet:PORT@HOST`, `inet6:PORT@HOST` | Sendmail `X` option syntax |
/// | `unix:/path`, `local:/path`, `/path` | a unix-domain socket |
///
/// Text only: no sockets, no name resolution. A host that getaddrinfo would read as a number (digits, dots,
/// `0x` hex) must be a dotted quad of decimal numbers without leading zeros.
package enum AddressSyntax: Hashable, Sendable {
    /// A TCP endpoint; `host` carries no brackets.
    case inet(host: String, port: Int)
    /// A unix-domain socket.
    case unix(path: String)

    /// Why an address could not be parsed, in words.
    package struct Failure: Error, Hashable, Sendable {
        /// What is wrong with the text.
        package var reason: String
    }

    /// Parses `text`; the port must lie in `ports` (a listener may take 0, an ephemeral port).
    package static func parse(_ text: String, ports: ClosedRange<Int> = 1...65_535) throws(Failure) -> AddressSyntax {
        if let path = unixPath(text) {
            guard !path.isEmpty else { throw Failure(reason: "the socket path is empty") }
            return .unix(path: path)
        }
        if let scheme = text.firstRange(of: "://") {
            throw Failure(
                reason:
                    "'\(text[..<scheme.lowerBound])://' is no milter address: write HOST:PORT, inet:PORT@HOST or unix:/path"
            )
        }
        var rest = Substring(text)
        for prefix in ["inet6:", "inet:"] where rest.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count)
            break
        }
        let (host, portText) = try split(rest)
        guard !host.isEmpty else { throw Failure(reason: "the host is empty") }
        // A space pasted with the address (` 127.0.0.1:7044`) is no part of any host name.
        guard !host.contains(where: \.isWhitespace) else { throw Failure(reason: "the host contains white space") }
        // getaddrinfo reads numbers as inet_aton does: `010.0.0.1` is octal, 8.0.0.1, and `127.1` is 127.0.0.1.
        guard !isNumeric(host) || IPAddress(parsing: host)?.isIPv4 == true else {
            throw Failure(
                reason: "the host is no IPv4 address: write four decimal numbers 0-255 without leading zeros "
                    + "(010 would be read as octal)")
        }
        guard let port = Int(portText), ports.contains(port) else {
            throw Failure(reason: "the port must be a number from \(ports.lowerBound) to \(ports.upperBound)")
        }
        return .inet(host: host, port: port)
    }

    /// A host whose every dot-separated label is a decimal or `0x` hexadecimal number, as inet_aton reads one.
    private static func isNumeric(_ host: String) -> Bool {
        host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let lowered = label.lowercased()
            if lowered.hasPrefix("0x") { return lowered.dropFirst(2).allSatisfy(\.isHexDigit) }
            return !label.isEmpty && label.allSatisfy { ("0"..."9").contains($0) }
        }
    }

    private static func unixPath(_ text: String) -> String? {
        for prefix in ["unix:", "local:"] where text.hasPrefix(prefix) { return String(text.dropFirst(prefix.count)) }
        return text.hasPrefix("/") ? text : nil
    }

    /// Splits `PORT@HOST`, `[HOST]:PORT` or `HOST:PORT` into host and port text.
    private static func split(_ text: Substring) throws(Failure) -> (String, Substring) {
        if let at = text.firstIndex(of: "@") {
            return (unbracket(text[text.index(after: at)...]), text[..<at])
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw Failure(reason: "an IPv6 address lacks its ']'") }
            let afterClose = text[text.index(after: close)...]
            guard afterClose.hasPrefix(":") else { throw Failure(reason: "expected ':PORT' after ']'") }
            return (String(text[text.index(after: text.startIndex)..<close]), afterClose.dropFirst())
        }
        guard let colon = text.lastIndex(of: ":") else {
            throw Failure(reason: "expected HOST:PORT, PORT@HOST or unix:/path")
        }
        let host = text[..<colon]
        guard !host.contains(":") else { throw Failure(reason: "write an IPv6 address in brackets: [::1]:PORT") }
        return (String(host), text[text.index(after: colon)...])
    }

    private static func unbracket(_ host: Substring) -> String {
        if host.hasPrefix("["), host.hasSuffix("]") { return String(host.dropFirst().dropLast()) }
        return String(host)
    }
}
