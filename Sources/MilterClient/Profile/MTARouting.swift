/// Where the played MTA would send mail, as it reports it in `{mail_host}`, `{mail_mailer}`, `{rcpt_host}` and
/// `{rcpt_mailer}`, and how it rewrites an address for `{mail_addr}` and `{rcpt_addr}`.
///
/// Both MTAs take these macros from their routing of the address: the host is the next hop and the mailer the
/// delivery agent (Postfix: trivial-rewrite's resolver, `smtpd_milter.c`; Sendmail: ruleset 0, `srvrsmtp.c`).
/// They depend on the MTA's configuration, so the defaults are those of a stock installation, which has no relay
/// host. Checked against Postfix 3.7.11 and Sendmail 8.17:
///
/// Postfix (`postconf -d`: `myorigin = $myhostname`, `mydestination = $myhostname, localhost.$mydomain,
/// localhost`, `local_transport = local:$myhostname`, `default_transport = smtp`):
/// - An address without a domain gets `@` ``origin`` (`root` becomes `root@mx.example.test`); the null sender
///   is routed as `MAILER-DAEMON@$myhostname`, and its `{mail_addr}` is empty.
/// - `{mail_addr}` and `{rcpt_addr}` are that address in lowercase; a quoted local part stays quoted.
/// - An address in one of ``localDomains`` (case-insensitive) goes to `local`, with the MTA's host name as host.
/// - Any other address goes to `smtp`, with ``relayHost`` as host when it is set (`relayhost = [127.0.0.1]:2525`
///   makes every such `{rcpt_host}` `[127.0.0.1]:2525`), else its domain as written (case kept).
///
/// Sendmail (`FEATURE`-free `sendmail.mc`; ``relayHost`` is its `SMART_HOST`):
/// - The null sender, an address without a domain and one in ``localDomains`` go to `local` with an empty host
///   and the local part in lowercase as address (empty for the null sender).
/// - An address literal (`user@[192.0.2.7]`) goes to `esmtp` at the literal, even with a relay host.
/// - Any other address keeps its address as given; it goes to `relay` at ``relayHost`` when that is set, else to
///   `esmtp` at its domain in lowercase.
///
/// Transport maps, `relay_domains`, virtual domains, mailertables and the like are not played: a setup with them
/// sets the macros with overrides (``MilterClientConfiguration/macroOverrides``).
public struct MTARouting: Hashable, Sendable {
    /// Postfix's `relayhost` (e.g. `[192.0.2.10]:25`) or Sendmail's `SMART_HOST` (e.g. `[192.0.2.10]`): the host
    /// of every address not delivered locally; `nil` (the default) routes such an address to its own domain.
    public var relayHost: String?
    /// The domains delivered locally: Postfix's `mydestination`, Sendmail's class `w`. `nil` (the default) is the
    /// MTA's default for the played host name: for Postfix the host name, `localhost.` and the host name's parent
    /// domain, and `localhost`; for Sendmail the host name, its first label and `localhost`. Empty: none.
    public var localDomains: [String]?
    /// Postfix's `myorigin`, appended to an address without a domain; `nil` (the default) is the host name.
    public var origin: String?

    /// Creates a routing; the defaults are a stock MTA's.
    public init(relayHost: String? = nil, localDomains: [String]? = nil, origin: String? = nil) {
        self.relayHost = relayHost
        self.localDomains = localDomains
        self.origin = origin
    }

    /// The `{…_addr}`, `{…_host}` and `{…_mailer}` values of an envelope address (without angle brackets; empty
    /// for the null sender) for an MTA of `family` named `hostname`.
    func resolve(_ mailbox: String, hostname: String, family: MTAProfile.Family) -> Resolved {
        switch family {
        case .postfix: postfixResolve(mailbox, hostname: hostname)
        case .sendmail: sendmailResolve(mailbox, hostname: hostname)
        }
    }

    /// An address's values: the address, the next hop and the mailer.
    struct Resolved: Equatable {
        var address: String
        var host: String
        var mailer: String
    }

    private func postfixResolve(_ mailbox: String, hostname: String) -> Resolved {
        let completed: String
        if mailbox.isEmpty {
            completed = "MAILER-DAEMON@\(hostname)"
        } else if Self.domain(of: mailbox) == nil {
            completed = "\(mailbox)@\(origin ?? hostname)"
        } else {
            completed = mailbox
        }
        let domain = Self.domain(of: completed) ?? ""
        let address = mailbox.isEmpty ? "" : completed.lowercased()
        let local = localDomains ?? Self.postfixLocalDomains(hostname: hostname)
        if Self.contains(local, domain) { return Resolved(address: address, host: hostname, mailer: "local") }
        return Resolved(address: address, host: relayHost ?? domain, mailer: "smtp")
    }

    private func sendmailResolve(_ mailbox: String, hostname: String) -> Resolved {
        let local = localDomains ?? Self.sendmailLocalDomains(hostname: hostname)
        let (localPart, domain) = Self.split(mailbox)
        guard let domain, !Self.contains(local, domain) else {
            return Resolved(address: localPart.lowercased(), host: "", mailer: "local")
        }
        if domain.hasPrefix("[") { return Resolved(address: mailbox, host: domain, mailer: "esmtp") }
        if let relayHost { return Resolved(address: mailbox, host: relayHost, mailer: "relay") }
        return Resolved(address: mailbox, host: domain.lowercased(), mailer: "esmtp")
    }

    /// The domain of an address, or `nil` when it has none.
    private static func domain(of mailbox: String) -> String? { split(mailbox).domain }

    /// An address's local part and domain (`nil` when it has none: an `@` in a quoted local part does not count).
    private static func split(_ mailbox: String) -> (localPart: String, domain: String?) {
        guard let at = mailbox.lastIndex(of: "@"), !mailbox[at...].contains("\"") else { return (mailbox, nil) }
        return (String(mailbox[..<at]), String(mailbox[mailbox.index(after: at)...]))
    }

    private static func contains(_ domains: [String], _ domain: String) -> Bool {
        let folded = domain.lowercased()
        return domains.contains { $0.lowercased() == folded }
    }

    /// `mydestination`'s default: `$myhostname, localhost.$mydomain, localhost`, where `$mydomain` is the host
    /// name without its first label (`localdomain` when it has a single label).
    static func postfixLocalDomains(hostname: String) -> [String] {
        let parent = hostname.firstIndex(of: ".").map { String(hostname[hostname.index(after: $0)...]) }
        return [hostname, "localhost.\(parent ?? "localdomain")", "localhost"]
    }

    /// Sendmail's class `w` as it starts: the host name, its first label and `localhost`.
    static func sendmailLocalDomains(hostname: String) -> [String] {
        let label = hostname.split(separator: ".", maxSplits: 1).first.map(String.init) ?? hostname
        return [hostname, label, "localhost"]
    }
}
