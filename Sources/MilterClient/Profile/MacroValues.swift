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
    var sender: EnvelopeAddress? {
        didSet {
            let parts = sender.map { address in
                if let last = lastSender, last.address == address { return last.parts }
                let parts = Self.parts(of: address, emptyHostForNullSender: true)
                lastSender = (address, parts)
                return parts
            }
            values[Key.mailAddress.rawValue] = parts?.mailbox
            values[Key.mailHost.rawValue] = parts?.host
            values[Key.mailMailer.rawValue] = sender.map { _ in mailer }
        }
    }
    var recipient: EnvelopeAddress? {
        didSet {
            let parts = recipient.map { address in
                if let last = lastRecipient, last.address == address { return last.parts }
                let parts = Self.parts(of: address, emptyHostForNullSender: false)
                lastRecipient = (address, parts)
                return parts
            }
            values[Key.recipientAddress.rawValue] = parts?.mailbox
            values[Key.recipientHost.rawValue] = parts?.host
            values[Key.recipientMailer.rawValue] = recipient.map { _ in mailer }
        }
    }
    var messageID: String? { didSet { values[Key.messageID.rawValue] = messageID.map { MilterString($0) } } }
    /// The encoded value of every key, by raw value; `nil` where the MTA has none now.
    private(set) var values: [MilterString?]
    /// The last sender and recipient with their macro values: a replay sends the same ones again.
    private var lastSender: (address: EnvelopeAddress, parts: AddressParts)?
    private var lastRecipient: (address: EnvelopeAddress, parts: AddressParts)?

    /// An envelope address as `{mail_addr}`/`{rcpt_addr}` and `{mail_host}`/`{rcpt_host}` carry it.
    typealias AddressParts = (mailbox: MilterString, host: MilterString)

    private static func parts(of address: EnvelopeAddress, emptyHostForNullSender: Bool) -> AddressParts {
        let mailbox = address.mailbox
        let host = emptyHostForNullSender && mailbox.isEmpty ? "" : address.address.string.domainPart
        return (MilterString(mailbox), MilterString(host))
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
        ]
        for (key, value) in known { values[key.rawValue] = value.map { MilterString($0) } }
        self.values = values
    }

    /// The value of a macro, by name with or without braces, or `nil` when the MTA has none.
    func value(of name: String) -> String? {
        Key(name: name).flatMap { value(of: $0) }?.string
    }

    /// The value of a macro, or `nil` when the MTA has none at this point.
    func value(of key: Key) -> MilterString? { values[key.rawValue] }

    /// The macros the played MTA knows, resolved from their names once per connection.
    enum Key: Int, Sendable, CaseIterable {
        case hostname, daemonAddress, daemonPort, mtaVersion, clientLabel, clientAddress, clientName, clientPort
        case queueID, mailAddress, mailHost, mailMailer, recipientAddress, recipientHost, recipientMailer, messageID

        /// The key for a macro name with or without braces, or `nil` for a macro the MTA does not know.
        init?(name: String) {
            let bare = name.hasPrefix("{") && name.hasSuffix("}") ? String(name.dropFirst().dropLast()) : name
            switch bare {
            case "j", "daemon_name", "if_name": self = .hostname
            case "daemon_addr", "if_addr": self = .daemonAddress
            case "daemon_port": self = .daemonPort
            case "v": self = .mtaVersion
            case "_": self = .clientLabel
            case "client_addr": self = .clientAddress
            case "client_name", "client_ptr": self = .clientName
            case "client_port": self = .clientPort
            case "i": self = .queueID
            case "mail_addr": self = .mailAddress
            case "mail_host": self = .mailHost
            case "mail_mailer": self = .mailMailer
            case "rcpt_addr": self = .recipientAddress
            case "rcpt_host": self = .recipientHost
            case "rcpt_mailer": self = .recipientMailer
            case "msg_id": self = .messageID
            default: return nil
            }
        }
    }

    private var mailer: MilterString { profile.family == .sendmail ? "esmtp" : "smtp" }
}

/// Which macros go with each event: the profile's defaults, replaced by the milter's symbol lists,
/// with the user's overrides applied last.
struct MacroPlan: Sendable {
    var profile: MTAProfile
    var overrides: [MacroEvent: [(name: String, value: String)]]
    var options: NegotiatedOptions?

    /// One macro of an event's packet, its name resolved once: where its value comes from.
    struct PlannedMacro: Sendable {
        /// The name as sent.
        var name: MilterString
        /// The user's value, which wins over the MTA's.
        var override: MilterString?
        /// The MTA's value, if it has one for this name.
        var key: MacroContext.Key?
    }

    /// The macros of an event's packet, in order, or `nil` when the profile sends no packet.
    func planned(for event: MacroEvent) -> [PlannedMacro]? {
        let names = self.names(for: event)
        let extra = overrides[event] ?? []
        if names.isEmpty && extra.isEmpty && !profile.sendsEmptyMacroPackets { return nil }
        var planned = names.map { name in
            PlannedMacro(
                name: MilterString(name),
                override: extra.last(where: { $0.name == name }).map { MilterString($0.value) },
                key: MacroContext.Key(name: name))
        }
        var added = Set(names)
        for (name, value) in extra where !added.contains(name) {
            added.insert(name)
            planned.append(PlannedMacro(name: MilterString(name), override: MilterString(value), key: nil))
        }
        return planned
    }

    /// The MACRO packet for an event, or `nil` when the profile sends none.
    func definition(stage: MilterCommand.ID, event: MacroEvent, context: MacroContext) -> MacroDefinition? {
        planned(for: event).map { Self.definition(stage: stage, planned: $0, context: context) }
    }

    /// The MACRO packet with the values of `context`; macros without a value are left out.
    static func definition(stage: MilterCommand.ID, planned: [PlannedMacro], context: MacroContext) -> MacroDefinition {
        definition(stage: stage, planned: planned, values: context.values)
    }

    /// The MACRO packet with `values`, by ``MacroContext/Key`` raw value.
    static func definition(stage: MilterCommand.ID, planned: [PlannedMacro], values: [MilterString?]) -> MacroDefinition
    {
        var macros: [MacroDefinition.Macro] = []
        macros.reserveCapacity(planned.count)
        for macro in planned {
            guard let value = macro.override ?? macro.key.flatMap({ values[$0.rawValue] }) else { continue }
            macros.append(MacroDefinition.Macro(name: macro.name, value: value))
        }
        return MacroDefinition(stage: stage, macros: macros)
    }

    /// The names for an event: the milter's symbol list if it sent a non-empty one (an empty list
    /// means "the defaults" to Postfix, pitfall 16), else the profile's defaults.
    func names(for event: MacroEvent) -> [String] {
        if let stage = event.symbolListStage, let list = options?.symbolList(for: stage), !list.isEmpty {
            return list
        }
        return profile.defaultMacros[event] ?? []
    }
}
