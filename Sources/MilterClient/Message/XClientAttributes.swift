/// The attributes of Postfix's XCLIENT command (`smtpd.c` `xclient_cmd`) that reach a milter: `NAME`, `ADDR`,
/// `PORT`, `HELO`, `LOGIN`, `DESTADDR`, `DESTPORT`, and `PROTO`, which none of its macros carries. What is not
/// given stays as it was, but for `LOGIN`: Postfix drops the login at an XCLIENT that gives none.
///
/// ``MilterClientConnection/xclient(_:)`` plays the command.
public struct XClientAttributes: Hashable, Sendable {
    /// `PROTO`'s values.
    public enum SMTPProtocol: String, Hashable, Sendable {
        /// `SMTP`.
        case smtp = "SMTP"
        /// `ESMTP`.
        case esmtp = "ESMTP"
    }

    /// `NAME`: the client's host name (`unknown` for `[UNAVAILABLE]`).
    public var name: String?
    /// `ADDR`: the client's address, IPv6 without the `IPV6:` prefix.
    public var address: String?
    /// `PORT`: the client's port.
    public var port: UInt16?
    /// `HELO`: the client's HELO name, which Postfix keeps without a HELO event (no ABORT for the old one).
    public var helo: String?
    /// `PROTO`: the protocol Postfix then names in its `Received:` header and its log, `SMTP` when not given, until
    /// the client's next EHLO (`xclient_cmd`); the resulting message's `Received:` field names it
    /// (``TransactionResult/resultingMessage``). No milter macro carries it (`smtpd_milter_eval` has none), so the
    /// milter sees no change.
    public var smtpProtocol: SMTPProtocol?
    /// `LOGIN`: the SASL login name. The MAIL macros then carry it as `{auth_authen}`, with `{auth_type}`
    /// `XCLIENT` (Postfix's `smtpd_sasl_auth_extern`); `nil` (no `LOGIN`, or `LOGIN=[UNAVAILABLE]`) drops the
    /// login an earlier XCLIENT gave, as Postfix does (`smtpd_sasl_auth_reset`).
    public var login: String?
    /// `DESTADDR` (Postfix 3.2 and later): the address the client connected to, `{daemon_addr}` from then on; IPv6
    /// without the `IPV6:` prefix, `unknown` for `[UNAVAILABLE]`.
    public var destinationAddress: String?
    /// `DESTPORT` (Postfix 3.2 and later): the port the client connected to, `{daemon_port}` from then on;
    /// `unknown` for `[UNAVAILABLE]`.
    public var destinationPort: String?

    /// Creates the attributes of one XCLIENT command.
    public init(
        name: String? = nil, address: String? = nil, port: UInt16? = nil, helo: String? = nil,
        smtpProtocol: SMTPProtocol? = nil, login: String? = nil, destinationAddress: String? = nil,
        destinationPort: String? = nil
    ) {
        self.name = name
        self.address = address
        self.port = port
        self.helo = helo
        self.smtpProtocol = smtpProtocol
        self.login = login
        self.destinationAddress = destinationAddress
        self.destinationPort = destinationPort
    }

    /// `client` with the attributes given replaced, and its login the one ``login`` gives (none without it).
    public func applied(to client: SMTPClient) -> SMTPClient {
        var next = client
        if let name { next.hostname = name }
        if let address { next.address = address }
        if let port { next.port = port }
        if let helo { next.helo = helo }
        next.login = login.map { SASLLogin(name: $0, method: "XCLIENT") }
        return next
    }

    /// `identity` with ``destinationAddress`` and ``destinationPort``, where given, as its daemon address and port.
    public func applied(to identity: MTAIdentity) -> MTAIdentity {
        var next = identity
        if let destinationAddress { next.daemonAddress = destinationAddress }
        if let destinationPort { next.daemonPort = destinationPort }
        return next
    }
}
