import MilterProtocol

/// What the played MTA knows when it expands macros for an event.
///
/// Values are encoded when they change (once per connection or per transaction), not each time
/// a MACRO packet is built: a message's packets all carry the same queue ID.
struct MacroContext: Sendable {
    let identity: MTAIdentity
    let profile: MTAProfile
    let client: SMTPClient
    var queueID: String? { didSet { values[Key.queueID.rawValue] = queueID.map { MilterString($0) } } }
    /// MAIL's address and arguments: `{mail_addr}`, `{mail_host}`, `{mail_mailer}`, and `{auth_author}` from its
    /// `AUTH=` (``AuthorMacro``).
    var sender: EnvelopeAddress? {
        didSet {
            lastSender = store(sender, memo: lastSender, keys: (.mailAddress, .mailHost, .mailMailer))
            values[Key.authAuthor.rawValue] = sender.flatMap {
                AuthorMacro.value(of: $0.arguments, family: profile.family)
            }
        }
    }
    var recipient: EnvelopeAddress? {
        didSet {
            lastRecipient = store(
                recipient, memo: lastRecipient, keys: (.recipientAddress, .recipientHost, .recipientMailer))
        }
    }
    var messageID: String? { didSet { values[Key.messageID.rawValue] = messageID.map { MilterString($0) } } }
    /// The TLS session STARTTLS started, if any: the values of `{tls_version}`, `{cipher}`, `{cipher_bits}`,
    /// `{cert_subject}` and `{cert_issuer}` from then on (none before, as the MTA has none). Without a client
    /// certificate Postfix leaves the last two out; Sendmail (`tls_get_info`) sends them empty.
    var tls: TLSSession? {
        didSet {
            let noCertificate: String? = tls != nil && profile.family == .sendmail ? "" : nil
            let pairs: [(Key, String?)] = [
                (.tlsVersion, tls?.version), (.cipher, tls?.cipher), (.cipherBits, tls.map { String($0.cipherBits) }),
                (.certificateSubject, tls?.certificateSubject ?? noCertificate),
                (.certificateIssuer, tls?.certificateIssuer ?? noCertificate),
            ]
            for (key, value) in pairs { values[key.rawValue] = value.map { MilterString($0) } }
        }
    }
    /// The encoded value of every key, by raw value; `nil` where the MTA has none now.
    private(set) var values: [MilterString?]
    /// The last sender and recipient with their macro values: a replay sends the same ones again.
    private var lastSender: (address: EnvelopeAddress, parts: AddressParts)?
    private var lastRecipient: (address: EnvelopeAddress, parts: AddressParts)?

    /// An envelope address as `{mail_addr}`/`{rcpt_addr}`, `{mail_host}`/`{rcpt_host}` and
    /// `{mail_mailer}`/`{rcpt_mailer}` carry it.
    typealias AddressParts = (mailbox: MilterString, host: MilterString, mailer: MilterString)

    /// Stores an envelope address's address, host and mailer values, reusing `memo` when it is the same
    /// address; returns the memo to keep.
    private mutating func store(
        _ address: EnvelopeAddress?, memo: (address: EnvelopeAddress, parts: AddressParts)?,
        keys: (address: Key, host: Key, mailer: Key)
    ) -> (address: EnvelopeAddress, parts: AddressParts)? {
        var kept = memo
        var parts: AddressParts?
        if let address {
            if let memo, memo.address == address {
                parts = memo.parts
            } else {
                let fresh = resolvedParts(of: address)
                parts = fresh
                kept = (address, fresh)
            }
        }
        values[keys.address.rawValue] = parts?.mailbox
        values[keys.host.rawValue] = parts?.host
        values[keys.mailer.rawValue] = parts?.mailer
        return kept
    }

    /// The macro values of an address, as the profile's MTA routes it (``MTARouting``).
    private func resolvedParts(of address: EnvelopeAddress) -> AddressParts {
        let resolved = identity.routing.resolve(address.mailbox, hostname: identity.hostname, family: profile.family)
        return (MilterString(resolved.address), MilterString(resolved.host), MilterString(resolved.mailer))
    }

    init(identity: MTAIdentity, profile: MTAProfile, client: SMTPClient) {
        self.identity = identity
        self.profile = profile
        self.client = client
        var values = [MilterString?](repeating: nil, count: Key.allCases.count)
        let known: [(Key, String?)] = [
            (.hostname, identity.hostname), (.daemonAddress, identity.daemonAddress),
            (.daemonPort, identity.daemonPort), (.mtaVersion, profile.mtaVersion),
            (.clientLabel, "\(client.hostname) [\(client.address ?? "unknown")]"), (.clientAddress, client.address),
            (.clientName, client.hostname), (.clientPort, String(client.port)),
            (.authType, client.login?.method), (.authAuthen, client.login?.name),
        ]
        for (key, value) in known { values[key.rawValue] = value.map { MilterString($0) } }
        self.values = values
    }

    /// The macros the played MTA knows, resolved from their names once per connection.
    enum Key: Int, Sendable, CaseIterable {
        case hostname, daemonAddress, daemonPort, mtaVersion, clientLabel, clientAddress, clientName, clientPort
        case queueID, mailAddress, mailHost, mailMailer, recipientAddress, recipientHost, recipientMailer, messageID
        case tlsVersion, cipher, cipherBits, certificateSubject, certificateIssuer
        case authType, authAuthen, authAuthor

        /// The key for a macro name with or without braces, or `nil` for a macro the MTA does not know.
        /// Every connection resolves its plan's names: one lookup, not a string switch.
        init?(name: String) {
            guard let key = Self.byName[name] else { return nil }
            self = key
        }

        /// Every name ``init(name:)`` knows, bare and in braces.
        private static let byName: [String: Key] = {
            let bare: [(String, Key)] = [
                ("j", .hostname), ("daemon_name", .hostname), ("if_name", .hostname),
                ("daemon_addr", .daemonAddress), ("if_addr", .daemonAddress), ("daemon_port", .daemonPort),
                ("v", .mtaVersion), ("_", .clientLabel), ("client_addr", .clientAddress),
                ("client_name", .clientName), ("client_ptr", .clientName), ("client_port", .clientPort),
                ("i", .queueID), ("mail_addr", .mailAddress), ("mail_host", .mailHost), ("mail_mailer", .mailMailer),
                ("rcpt_addr", .recipientAddress), ("rcpt_host", .recipientHost),
                ("rcpt_mailer", .recipientMailer), ("msg_id", .messageID), ("tls_version", .tlsVersion),
                ("cipher", .cipher), ("cipher_bits", .cipherBits), ("cert_subject", .certificateSubject),
                ("cert_issuer", .certificateIssuer), ("auth_type", .authType), ("auth_authen", .authAuthen),
                ("auth_author", .authAuthor),
            ]
            var table: [String: Key] = [:]
            for (name, key) in bare {
                table[name] = key
                table["{\(name)}"] = key
            }
            return table
        }()
    }
}

extension MacroContext {
    /// The values that decide later MACRO packets, between two transactions: all but the last
    /// transaction's queue ID and message ID, which the next transaction sets before any packet
    /// carries them (the message ID when it starts, the queue ID at MAIL or its first RCPT).
    var valuesBetweenTransactions: [MilterString?] {
        var kept = values
        kept[Key.queueID.rawValue] = nil
        kept[Key.messageID.rawValue] = nil
        return kept
    }
}
