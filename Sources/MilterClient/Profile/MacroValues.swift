import MilterProtocol

/// What the played MTA knows when it expands macros for an event.
struct MacroContext: Sendable {
    var identity: MTAIdentity
    var profile: MTAProfile
    var client: SMTPClient
    var queueID: String?
    var sender: EnvelopeAddress?
    var recipient: EnvelopeAddress?
    var messageID: String?

    /// The value of a macro, by name with or without braces, or `nil` when the MTA has none.
    func value(of name: String) -> String? {
        switch name.hasPrefix("{") && name.hasSuffix("}") ? String(name.dropFirst().dropLast()) : name {
        case "j", "daemon_name", "if_name": identity.hostname
        case "daemon_addr", "if_addr": identity.daemonAddress
        case "daemon_port": identity.daemonPort
        case "v": profile.mtaVersion
        case "_": "\(client.hostname) [\(client.address ?? "unknown")]"
        case "client_addr": client.address
        case "client_name", "client_ptr": client.hostname
        case "client_port": String(client.port)
        case "i": queueID
        case "mail_addr": sender?.mailbox
        case "mail_host": sender.map { $0.mailbox.isEmpty ? "" : $0.address.string.domainPart }
        case "mail_mailer": sender.map { _ in mailer }
        case "rcpt_addr": recipient?.mailbox
        case "rcpt_host": recipient.map { $0.address.string.domainPart }
        case "rcpt_mailer": recipient.map { _ in mailer }
        case "msg_id": messageID
        default: nil
        }
    }

    private var mailer: String { profile.family == .sendmail ? "esmtp" : "smtp" }
}

/// Which macros go with each event: the profile's defaults, replaced by the milter's symbol lists,
/// with the user's overrides applied last.
struct MacroPlan: Sendable {
    var profile: MTAProfile
    var overrides: [MacroEvent: [(name: String, value: String)]]
    var options: NegotiatedOptions?

    /// The MACRO packet for an event, or `nil` when the profile sends none.
    func definition(stage: MilterCommand.ID, event: MacroEvent, context: MacroContext) -> MacroDefinition? {
        let names = self.names(for: event)
        let extra = overrides[event] ?? []
        if names.isEmpty && extra.isEmpty && !profile.sendsEmptyMacroPackets { return nil }
        var macros: [MacroDefinition.Macro] = []
        for name in names {
            let value = extra.last(where: { $0.name == name })?.value ?? context.value(of: name)
            if let value { macros.append(.init(name: MilterString(name), value: MilterString(value))) }
        }
        for (name, value) in extra where !names.contains(name) && !macros.contains(where: { $0.name.string == name }) {
            macros.append(.init(name: MilterString(name), value: MilterString(value)))
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
