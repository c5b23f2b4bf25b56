import MilterProtocol

/// The SMTP client that the played MTA reports to the milter in CONNECT and HELO.
public struct SMTPClient: Hashable, Sendable {
    /// The client's host name from reverse DNS, or `unknown`; Postfix then sends `[address]`.
    public var hostname: String
    /// The client's IP address or socket path; `nil` sends family `U`.
    public var address: String?
    /// The client's port.
    public var port: UInt16
    /// The HELO/EHLO argument.
    public var helo: String
    /// The client's SASL login, if any: `{auth_authen}` and `{auth_type}` (XCLIENT's `LOGIN` gives one), and the `A`
    /// of `ESMTPA` in the MTA's own `Received:` field after an EHLO.
    public var login: SASLLogin?

    /// Creates a client.
    public init(
        hostname: String = "client.example.test", address: String? = "192.0.2.1", port: UInt16 = 49_152,
        helo: String = "client.example.test", login: SASLLogin? = nil
    ) {
        self.hostname = hostname
        self.address = address
        self.port = port
        self.helo = helo
        self.login = login
    }

    /// The CONNECT payload as an MTA following `profile` sends it (pitfalls 12, 23).
    public func connectInfo(profile: MTAProfile) -> ConnectInfo {
        guard let address else { return ConnectInfo(hostname: MilterString(hostname), address: .unknown) }
        let name = hostname == "unknown" ? "[\(address)]" : hostname
        let host = MilterString(name)
        if address.hasPrefix("/") {
            return ConnectInfo(hostname: host, address: .local(path: MilterString(address), port: 0))
        }
        if address.contains(":") {
            return ConnectInfo(
                hostname: host, address: .inet6(address: MilterString(profile.ipv6AddressPrefix + address), port: port))
        }
        return ConnectInfo(hostname: host, address: .inet(address: MilterString(address), port: port))
    }
}

/// The played MTA's own identity, the source of the connect-stage macros.
public struct MTAIdentity: Hashable, Sendable {
    /// `$myhostname`: the `j` macro, and `{daemon_name}` by Postfix's default.
    public var hostname: String
    /// The address the SMTP client connected to: `{daemon_addr}`, `{if_addr}`.
    public var daemonAddress: String
    /// The port the SMTP client connected to: `{daemon_port}`.
    public var daemonPort: String
    /// Where the MTA would send mail: the source of `{mail_host}`, `{mail_mailer}`, `{rcpt_host}` and
    /// `{rcpt_mailer}`, and of the form of `{mail_addr}` and `{rcpt_addr}`; a stock MTA's by default (no relay host).
    public var routing: MTARouting

    /// Creates an identity.
    public init(
        hostname: String = "mx.example.test", daemonAddress: String = "192.0.2.25", daemonPort: String = "25",
        routing: MTARouting = MTARouting()
    ) {
        self.hostname = hostname
        self.daemonAddress = daemonAddress
        self.daemonPort = daemonPort
        self.routing = routing
    }
}
