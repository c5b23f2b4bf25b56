import MilterProtocol

/// Ready-made scripts and helpers for the scripted milter.
package enum Scripts {
    /// An OPTNEG answer asking for `actions` and `flags` at `version`.
    package static func answer(
        version: MilterVersion = .v6, actions: MilterActions = .all, flags: MilterProtocolFlags = [],
        symbolLists: [SymbolList] = []
    ) -> MilterReply {
        .optionNegotiation(
            OptionNegotiation(version: version, actions: actions, protocolFlags: flags, symbolLists: symbolLists))
    }

    /// A well-behaved milter: negotiates `answer`, continues every event, and answers end of
    /// message with `endOfMessage`. `override` replaces the answer to any command it returns a value for.
    package static func wellBehaved(
        answer: MilterReply = answer(), endOfMessage: [ScriptedMilter.Action] = [.reply(.accept)],
        override: @escaping @Sendable (MilterCommand) -> [ScriptedMilter.Action]? = { _ in nil }
    ) -> ScriptedMilter.Script {
        var agreed: NegotiatedOptions?
        if case .optionNegotiation(let answer) = answer {
            agreed = NegotiatedOptions(
                version: answer.version, actions: answer.actions, protocolFlags: answer.protocolFlags)
        }
        let options = agreed
        return { command in
            if let actions = override(command) { return actions }
            if let options, command.id != .optionNegotiation, !options.awaitsReply(to: command.id) { return [] }
            switch command {
            case .optionNegotiation: return [.reply(answer)]
            case .macro, .abort, .quit, .quitNewConnection: return []
            case .endOfMessage: return endOfMessage
            default: return [.reply(.continue)]
            }
        }
    }
}
