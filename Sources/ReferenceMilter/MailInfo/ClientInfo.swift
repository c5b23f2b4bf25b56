import MilterProtocol

/// The SMTP client as the MTA described it in CONNECT.
public struct ClientInfo: Hashable, Sendable {
    /// How the client is connected.
    public enum Family: Hashable, Sendable {
        /// IPv4.
        case inet
        /// IPv6.
        case inet6
        /// A unix-domain socket.
        case local
        /// Not known (family `U`).
        case unknown
    }

    /// The client's host name; `[1.2.3.4]` when the MTA found no reverse name.
    public var hostname: String
    /// The address as text (IPv4 or IPv6 without Sendmail's `IPv6:` prefix, or a socket path).
    public var address: String
    /// The client's TCP port, 0 when unknown.
    public var port: Int
    /// The address family.
    public var family: Family

    /// Creates a client description.
    public init(hostname: String = "", address: String = "", port: Int = 0, family: Family = .unknown) {
        self.hostname = hostname
        self.address = address
        self.port = port
        self.family = family
    }

    /// Builds the description from a CONNECT payload.
    public init(_ info: ConnectInfo) {
        switch info.address {
        case .unknown: self.init(hostname: info.hostname.string)
        case .inet(let address, let port):
            self.init(hostname: info.hostname.string, address: address.string, port: Int(port), family: .inet)
        case .inet6(let address, let port):
            let text = address.string
            let bare = text.hasPrefix("IPv6:") ? String(text.dropFirst(5)) : text
            self.init(hostname: info.hostname.string, address: bare, port: Int(port), family: .inet6)
        case .local(let path, let port):
            self.init(hostname: info.hostname.string, address: path.string, port: Int(port), family: .local)
        }
    }

    /// Whether the MTA found no reverse name: the host name is the bracketed address.
    public var isUnresolved: Bool { hostname.hasPrefix("[") }
}

/// An envelope address (MAIL FROM or RCPT TO) with its ESMTP arguments and macros.
public struct EnvelopeEntry: Hashable, Sendable {
    /// The address without angle brackets; empty for the null sender `<>`.
    public var address: String
    /// The address exactly as the MTA sent it, brackets included.
    public var rawAddress: String
    /// The ESMTP arguments, such as `SIZE=1234`.
    public var arguments: [String]
    /// The macros the MTA sent for this command (names without braces).
    public var macros: [String: String] {
        get { macroValues.dictionary }
        set { macroValues = MacroValues(newValue) }
    }
    /// ``macros`` as kept: a dictionary is built only when asked for.
    var macroValues: MacroValues

    /// Creates an entry.
    public init(rawAddress: String, arguments: [String] = [], macros: [String: String] = [:]) {
        self.rawAddress = rawAddress
        self.address = Self.stripBrackets(rawAddress)
        self.arguments = arguments
        self.macroValues = MacroValues(macros)
    }

    /// Builds an entry from a MAIL or RCPT payload.
    public init(_ envelope: EnvelopeAddress, macros: [String: String]) {
        self.init(envelope, values: MacroValues(macros))
    }

    /// Builds an entry from a MAIL or RCPT payload and its stage's macros.
    init(_ envelope: EnvelopeAddress, values: MacroValues) {
        let bytes = envelope.address.bytes
        rawAddress = String(decoding: bytes, as: UTF8.self)
        // Cut from the payload's bytes, not from the string just made: walking a string's UTF-8 view index by
        // index cost about 1,400 instructions an address (two a message).
        address =
            bytes.withUnsafeBufferPointer(Self.stripBrackets(ascii:)) ?? Self.stripBracketsAsCharacters(rawAddress)
        arguments = envelope.arguments.map(\.string)
        macroValues = values
    }

    /// Leading spaces, then one `<` and one `>`, go. In an ASCII string every byte is a character
    /// (CR LF, the one pair that is not, holds no space or bracket), so the bytes are cut as the
    /// characters would be, without breaking the string into characters.
    static func stripBrackets(_ text: String) -> String {
        let stripped = text.utf8.withContiguousStorageIfAvailable(stripBrackets(ascii:))
        return stripped.flatMap { $0 } ?? stripBracketsAsCharacters(text)
    }

    /// ``stripBrackets(_:)`` on the UTF-8 of an address: `nil` when a byte is not ASCII.
    static func stripBrackets(ascii bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == UInt8(ascii: " ") { start += 1 }
        if start < end, bytes[start] == UInt8(ascii: "<") { start += 1 }
        if start < end, bytes[end - 1] == UInt8(ascii: ">") { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    static func stripBracketsAsCharacters(_ text: String) -> String {
        var trimmed = Substring(text).drop { $0 == " " }
        if trimmed.hasPrefix("<") { trimmed = trimmed.dropFirst() }
        if trimmed.hasSuffix(">") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
