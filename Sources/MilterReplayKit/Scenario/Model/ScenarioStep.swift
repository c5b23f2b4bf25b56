import MailMessage
import MilterClient
import MilterProtocol

/// One step of a session: an SMTP event the MTA passes on, with what must happen at it.
package struct ScenarioStep: Sendable {
    /// What the MTA does.
    package var action: ScenarioAction
    /// What must happen; `nil` checks only that the milter broke no rule.
    package var expectation: StepExpectation?
    /// Where the step is.
    package var location: ScenarioLocation

    package init(action: ScenarioAction, expectation: StepExpectation? = nil, location: ScenarioLocation) {
        self.action = action
        self.expectation = expectation
        self.location = location
    }

    /// Whether the step is an `xclient`, which only the Postfix profile plays.
    package var isXClient: Bool {
        if case .xclient = action { return true }
        return false
    }
}

/// The things a step can do; the YAML key of each is in ``keyword``.
package enum ScenarioAction: Sendable {
    /// CONNECT with the client's family, address, port and host name (`connect:`).
    case connect(ConnectSpec)
    /// HELO with a name, or the client's: `helo:` for the client's HELO, `ehlo:` (`extended`) for its EHLO. The
    /// milter gets HELO either way; EHLO makes the session ESMTP, as the MTA's own `Received:` header then says.
    case helo(String?, extended: Bool)
    /// The SMTP client's STARTTLS, starting this TLS session (`starttls`, `starttls: {version: …}`): no milter
    /// command of its own; Postfix's ABORT after a HELO (``MilterClientConnection/startTLS(_:)``).
    case startTLS(TLSSession)
    /// The SMTP client's XCLIENT (`xclient:`), Postfix only: QUIT on this milter connection, then OPTNEG and
    /// CONNECT for the new client on a new one.
    case xclient(XClientSpec)
    /// MAIL FROM with ESMTP arguments (`mail:`).
    case mail(EnvelopeSpec)
    /// RCPT TO with ESMTP arguments (`rcpt:`).
    case rcpt(EnvelopeSpec)
    /// DATA (`data`).
    case data
    /// Header fields, one HEADER each (`header:` one field, `headers:` a list or an .eml's).
    case headers(HeaderSource)
    /// EOH (`eoh`).
    case endOfHeaders
    /// The body, in chunks of 65535 bytes (`body:`).
    case body(BodySource)
    /// End of message; the transaction ends here (`eom`).
    case endOfMessage
    /// ABORT: the transaction is abandoned where it stands (`abort`).
    case abort
    /// A whole transaction, MAIL to end of message (`message:`).
    case message(MessageSpec)
    /// An SMTP command the MTA does not know (`unknown:`).
    case unknown(String)
    /// Waits this many seconds for a reply nobody asked for (`listen:`); one that comes is a finding.
    case listen(seconds: Double)
    /// QUIT, and the connection closes (`quit`).
    case quit
    /// QUIT_NC: the milter keeps the connection for the next SMTP client (`quit-nc`).
    case quitNewConnection
    /// Bytes written as they are, past every check (`raw:`).
    case raw(RawSpec)

    /// The key naming the step in a file.
    package var keyword: String {
        switch self {
        case .connect: "connect"
        case .helo(_, let extended): extended ? "ehlo" : "helo"
        case .startTLS: "starttls"
        case .xclient: "xclient"
        case .mail: "mail"
        case .rcpt: "rcpt"
        case .data: "data"
        case .headers: "headers"
        case .endOfHeaders: "eoh"
        case .body: "body"
        case .endOfMessage: "eom"
        case .abort: "abort"
        case .message: "message"
        case .unknown: "unknown"
        case .listen: "listen"
        case .quit: "quit"
        case .quitNewConnection: "quit-nc"
        case .raw: "raw"
        }
    }

    /// Whether the step's expectation is about a whole transaction (`eom`, `abort`, `message`)
    /// rather than one reply.
    package var endsTransaction: Bool {
        switch self {
        case .endOfMessage, .abort, .message: true
        default: false
        }
    }
}

/// The SMTP client as CONNECT reports it (`connect:`).
package struct ConnectSpec: Hashable, Sendable {
    /// The address family.
    package enum Family: String, Hashable, Sendable, CaseIterable {
        /// IPv4: `address` is dotted.
        case inet
        /// IPv6: `address` without the `IPv6:` prefix, which the Sendmail profile adds.
        case inet6
        /// A unix socket: `address` is its path.
        case unix
        /// Family `U`: no address (Postfix for a client it cannot name).
        case unknown
    }

    package var family: Family
    package var address: String
    package var port: UInt16
    package var hostname: String

    package init(
        family: Family = .inet, address: String = "192.0.2.1", port: UInt16 = 49_152,
        hostname: String = "client.example.test"
    ) {
        self.family = family
        self.address = address
        self.port = port
        self.hostname = hostname
    }
}

/// The attributes of an XCLIENT command (`xclient:`), as Postfix takes them (`NAME`, `ADDR`, `PORT`, `HELO`,
/// `PROTO`, `LOGIN`, `DESTADDR`, `DESTPORT`): what is not given stays as it was, but for `LOGIN`, dropped without
/// one. MilterClient's type, which plays it.
package typealias XClientSpec = XClientAttributes

/// An envelope address with ESMTP arguments (`mail:`, `rcpt:`).
package struct EnvelopeSpec: Hashable, Sendable {
    /// The address, with or without angle brackets; `<>` is the null sender.
    package var address: String
    /// ESMTP arguments such as `SIZE=1000`, `BODY=8BITMIME`.
    package var arguments: [String]

    package init(address: String, arguments: [String] = []) {
        self.address = address
        self.arguments = arguments
    }

    /// The address as the client sends it.
    package var envelope: EnvelopeAddress { EnvelopeAddress(mailbox: address, arguments: arguments) }
}

/// Where header fields come from.
package enum HeaderSource: Sendable {
    /// Fields written in the scenario.
    case inline([RawHeaderField])
    /// The header fields of an .eml file, its path relative to the scenario file.
    case eml(String)
}

/// Where a body comes from.
package enum BodySource: Sendable {
    /// Bytes written in the scenario (UTF-8; line ends become CRLF on the wire).
    case inline([UInt8])
    /// A file's bytes, its path relative to the scenario file.
    case file(String)
    /// The body of an .eml file.
    case eml(String)
    /// Bytes made up on the spot, so large cases need no fixture.
    case generated(GeneratedBody)
}

/// A made-up body: lines of a fixed length with CRLF, up to an exact size (`body: {size: N}`).
package struct GeneratedBody: Hashable, Sendable {
    /// Which bytes fill the lines.
    package enum Content: String, Hashable, Sendable, CaseIterable {
        /// Printable ASCII.
        case text
        /// ASCII mixed with bytes 0x80 to 0xFF (not valid UTF-8).
        case eightBit = "8bit"
    }

    /// The size in bytes, line ends included.
    package var size: Int
    /// Which bytes fill the lines.
    package var content: Content
    /// The length of a line before its CRLF.
    package var lineLength: Int

    package init(size: Int, content: Content = .text, lineLength: Int = 76) {
        self.size = size
        self.content = content
        self.lineLength = lineLength
    }
}

/// A whole transaction in one step (`message:`).
package struct MessageSpec: Sendable {
    /// MAIL FROM.
    package var sender: EnvelopeSpec
    /// RCPT TO, in order.
    package var recipients: [EnvelopeSpec]
    /// The header fields.
    package var headers: HeaderSource
    /// The body.
    package var body: BodySource

    package init(sender: EnvelopeSpec, recipients: [EnvelopeSpec], headers: HeaderSource, body: BodySource) {
        self.sender = sender
        self.recipients = recipients
        self.headers = headers
        self.body = body
    }
}

/// Bytes written to the milter as they are (`raw:`): a whole byte string, or one frame whose
/// length is worked out unless given.
package struct RawSpec: Hashable, Sendable {
    /// The bytes written.
    package var bytes: [UInt8]

    package init(bytes: [UInt8]) { self.bytes = bytes }

    /// One frame: a 4-byte length (`length`, or 1 + the payload's), the command byte, the payload.
    package init(command: UInt8, payload: [UInt8], length: UInt32? = nil) {
        let value = length ?? UInt32(payload.count + 1)
        bytes = [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        bytes.append(command)
        bytes += payload
    }
}
