/// Why a DNS exchange or a response parse failed.
///
/// The description never contains the queried name: a DNSBL name holds a client's address.
public struct DNSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; compare with the static members (`error.kind == .timeout`).
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: Hashable, Sendable {
            case truncatedMessage, badLabel, compressionLoop, nameTooLong, countTooLarge, badRecordLength
            case invalidName, timeout, network, noServers, badResolvConf, notAResponse, mismatchedResponse
            case connectionRefused, unreachable, bogusNegativeAnswer
        }
        private let code: Code

        /// The message ends before a field it announces.
        public static let truncatedMessage = Kind(code: .truncatedMessage)
        /// A label byte with a reserved type (0x40 or 0x80), or a pointer out of the message.
        public static let badLabel = Kind(code: .badLabel)
        /// A compression pointer that does not point strictly backwards, or too many jumps.
        public static let compressionLoop = Kind(code: .compressionLoop)
        /// A name over 255 bytes.
        public static let nameTooLong = Kind(code: .nameTooLong)
        /// A section count that the remaining bytes cannot hold.
        public static let countTooLarge = Kind(code: .countTooLarge)
        /// A record whose data length disagrees with its type (an A record that is not 4 bytes, say).
        public static let badRecordLength = Kind(code: .badRecordLength)
        /// A name to query that cannot be encoded (empty label, label over 63 bytes, name over 255 bytes).
        public static let invalidName = Kind(code: .invalidName)
        /// No matching answer within the timeout.
        public static let timeout = Kind(code: .timeout)
        /// A socket error.
        public static let network = Kind(code: .network)
        /// The server's host refused the query: nothing listens on its DNS port (an ICMP port
        /// unreachable for UDP, a reset in answer to the connect for TCP; a reset after it is `network`).
        /// Reported at once rather than after the timeout; the detail names the server.
        public static let connectionRefused = Kind(code: .connectionRefused)
        /// The server cannot be reached: no route to its network (`ENETUNREACH`) or its host (`EHOSTUNREACH`,
        /// an ICMP host unreachable), from the socket at once rather than after the timeout; the detail names
        /// the server and which of the two.
        public static let unreachable = Kind(code: .unreachable)
        /// The resolver has no server to ask.
        public static let noServers = Kind(code: .noServers)
        /// resolv.conf could not be read or lists no usable nameserver.
        public static let badResolvConf = Kind(code: .badResolvConf)
        /// The bytes are a query, not a response.
        public static let notAResponse = Kind(code: .notAResponse)
        /// The TCP answer does not match the question asked.
        public static let mismatchedResponse = Kind(code: .mismatchedResponse)
        /// A negative answer (NXDOMAIN, or NOERROR without the records asked for) whose authority
        /// section holds the SOA of a zone that is neither the name asked nor above it: forged, or
        /// from a broken server, it settles nothing. The detail names the server.
        public static let bogusNegativeAnswer = Kind(code: .bogusNegativeAnswer)

        /// The kind as words.
        public var description: String {
            switch code {
            case .truncatedMessage: "message truncated"
            case .badLabel: "bad label"
            case .compressionLoop: "name compression loop"
            case .nameTooLong: "name longer than 255 bytes"
            case .countTooLarge: "section count larger than the message"
            case .badRecordLength: "record data length wrong for its type"
            case .invalidName: "name cannot be queried"
            case .timeout: "timed out"
            case .network: "network error"
            case .connectionRefused: "connection refused by the server (port unreachable)"
            case .unreachable: "server unreachable"
            case .noServers: "no DNS server configured"
            case .badResolvConf: "unusable resolv.conf"
            case .notAResponse: "not a response"
            case .mismatchedResponse: "response does not match the query"
            case .bogusNegativeAnswer: "negative answer with the SOA of an unrelated zone"
            }
        }
    }

    /// The kind of failure.
    public let kind: Kind
    /// Where in the message the parser stopped, for parse errors.
    public let offset: Int?
    /// Further detail that holds no personal data (a socket error, a server address).
    public let detail: String?

    /// Creates an error.
    public init(_ kind: Kind, offset: Int? = nil, detail: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.detail = detail
    }

    /// `DNS: <kind> [at byte N] [(detail)]`.
    public var description: String {
        var text = "DNS: \(kind)"
        if let offset { text += " at byte \(offset)" }
        if let detail { text += " (\(detail))" }
        return text
    }
}
