extension MTAConnectionStateMachine {
    /// Whether the connection is open with nothing under way: where a recorded transaction
    /// (``ExchangeMemoStore``) may start and must end.
    var standsBetweenTransactions: Bool {
        mutating get {
            status == .open && socketOpen && !closeDue && afterClose == nil && message == nil && pending == nil
                && outgoing == nil
        }
    }

    /// Takes what a transaction changes from `memo`'s ``ExchangeMemo/machineAfter``, the machine recorded after the same
    /// transaction on a connection in the same state (``ExchangeDigest``). Both stood between
    /// transactions before it and stand between transactions after it
    /// (``standsBetweenTransactions``), so the status, the socket, the step in flight and the
    /// transaction under way (none) are alike already. The rest (configuration, client, tag,
    /// clock, negotiation, macro plan, spare buffer) is this connection's own, and equal to the
    /// recording's wherever the state decides it. The macro context is left as it is: a transaction
    /// leaves it with its queue ID and message ID, which the next transaction sets before use
    /// (``MacroContext/valuesBetweenTransactions``), and with its envelope cleared.
    /// The transaction count goes on from this connection's own by what the recorded transaction
    /// counted (``ExchangeMemo/transactionsCounted``, ``fieldsCountedBetweenTransactions``).
    /// Copied field by field: a whole machine is a large value, and copying it cost a quarter of
    /// a replayed transaction's user time.
    mutating func adopt(transactionOf memo: ExchangeMemo) {
        // Each field read through the record: a machine passed by value was first copied whole
        // (about 2.3 KB) from the record onto the stack, for every transaction sent from it.
        // The negotiation stays this connection's own: the record was found by a digest of it (and
        // debug builds check below that the whole session matches).
        session.adoptConversation(of: memo.machineAfter.session)
        skippingBody = memo.machineAfter.skippingBody
        lastSent = memo.machineAfter.lastSent
        lastWrittenWasLoneMacro = memo.machineAfter.lastWrittenWasLoneMacro
        lastEventWithoutReply = memo.machineAfter.lastEventWithoutReply
        // Kept in this machine's own storage when the record left none: sharing the record's made the next
        // command noted copy it.
        if memo.machineAfter.sentWithoutReply.isEmpty {
            sentWithoutReply.removeAll()
        } else {
            sentWithoutReply = memo.machineAfter.sentWithoutReply
        }
        transactionCount += memo.transactionsCounted
        heloGiven = memo.machineAfter.heloGiven
        connectionFindings = memo.machineAfter.connectionFindings
        purpose = memo.machineAfter.purpose
        assert(
            Self.describe(self, leaving: Self.ownFields.union(Self.fieldsCountedBetweenTransactions))
                == Self.describe(
                    memo.machineAfter, leaving: Self.ownFields.union(Self.fieldsCountedBetweenTransactions)),
            "a replayed transaction must leave the machine it recorded")
    }
    /// Hashes everything that decides what the machine does next, standing between two
    /// transactions, but for what the connection's own steps (OPTNEG, CONNECT, HELO) decided and
    /// the recorded digest of those covers: the configuration, the client, the negotiation's record
    /// (with its timings). The caches of macro names and packets are left out, as are the last
    /// transaction's queue ID and message ID, which the next one sets before use
    /// (``MacroContext/valuesBetweenTransactions``). `false`, with nothing hashed, when the
    /// machine does not stand between transactions with the transaction's state empty.
    ///
    /// Two connections with the same prologue and the same hash stand in the same state, whatever
    /// messages brought them there: an exchange recorded on one may be sent again on the other
    /// (``ExchangeMemoStore``). Every field of the machine is either hashed here, or listed in
    /// ``fieldsDecidedBefore``, ``fieldsEmptyBetweenTransactions`` or
    /// ``fieldsCountedBetweenTransactions`` (a test checks the machine's fields against the four
    /// lists), and debug builds check that equal hashes come with equal
    /// descriptions (``descriptionBetweenTransactions``).
    mutating func hashBetweenTransactions(into hashing: inout ExchangeHashing) -> Bool {
        guard standsBetweenTransactions, transaction.isEmpty else { return false }
        hashing.combine(session)
        hashing.combine(status)
        hashing.combine(socketOpen)
        hashing.combine(closeDue)
        hashing.combine(skippingBody)
        hashing.combine(lastSent)
        hashing.combine(lastWrittenWasLoneMacro)
        hashing.combine(lastEventWithoutReply)
        hashing.combine(sentWithoutReply)
        hashing.combine(heloGiven)
        hashing.combine(smtpProtocol)
        hashing.combine(sendmailProtocol)
        hashing.combine(quarantineHold)
        hashing.combine(negotiationWarnings)
        hashing.combine(connectionFindings)
        hashing.combine(macros.options)
        hashing.combine(context.valuesBetweenTransactions)
        hashing.combine(purpose)
        return true
    }

    /// The fields ``hashBetweenTransactions(into:)`` hashes.
    static let fieldsHashedBetweenTransactions: Set<String> = [
        "session", "status", "socketOpen", "closeDue", "skippingBody", "lastSent", "lastWrittenWasLoneMacro",
        "lastEventWithoutReply", "sentWithoutReply", "heloGiven", "smtpProtocol", "sendmailProtocol",
        "quarantineHold",
        "negotiationWarnings", "connectionFindings", "macros", "context", "purpose",
    ]

    /// The fields counted on, not hashed: the transaction count only numbers the queue IDs, which
    /// the digest masks and a record patches with the connection's own. So a message recorded as
    /// a connection's second is sent from the record as its fifth, and a run of many different
    /// messages records each twice (after HELO, and after any transaction), not once per place on
    /// a connection.
    static let fieldsCountedBetweenTransactions: Set<String> = ["transactionCount"]

    /// The fields that are empty whenever ``hashBetweenTransactions(into:)`` hashes.
    static let fieldsEmptyBetweenTransactions: Set<String> = [
        "afterClose", "transaction", "outgoing", "pending", "message",
    ]

    /// What ``hashBetweenTransactions(into:)`` hashes, in words, for the debug check: every field
    /// but those decided before, ``session`` and ``macros`` without what they took from the
    /// configuration.
    var descriptionBetweenTransactions: String {
        var description = Self.describe(
            self, leaving: Self.fieldsDecidedBefore.union(Self.fieldsCountedBetweenTransactions))
        description += "context="
        description += String(reflecting: context.valuesBetweenTransactions)
        return description
    }

    /// `value`'s fields by name, but those in `excluded`; ``session`` and ``macros`` without what
    /// they took from the configuration (the rules, the profile and the user's overrides).
    private static func describe(_ value: Any, leaving excluded: Set<String>) -> String {
        var description = ""
        for child in Mirror(reflecting: value).children {
            guard let label = child.label, !excluded.contains(label) else { continue }
            description += label
            description += "="
            switch label {
            case "session", "macros":
                description += "{" + describe(child.value, leaving: fieldsOfTheConfiguration) + "}"
            default:
                description += String(reflecting: child.value)
            }
            description += ";"
        }
        return description
    }

    /// The fields left out of ``hashBetweenTransactions(into:)``: the configuration's, the
    /// connection's own, what its own steps decided, and caches.
    static let fieldsDecidedBefore: Set<String> = [
        "configuration", "timeouts", "allocator", "now", "connectionTag", "client", "negotiation", "spareBuffer",
        "plannedMacros", "macroPackets", "context",
    ]

    /// The fields of ``MTASession`` and ``MacroPlan`` made from the configuration, the same on
    /// every connection that shares a store of exchanges.
    private static let fieldsOfTheConfiguration: Set<String> = ["rules", "profile", "overrides"]

    /// The fields ``adopt(transactionOf:counted:)`` leaves as they are, or patches.
    private static let ownFields: Set<String> = [
        "now", "connectionTag", "client", "negotiation", "spareBuffer", "plannedMacros", "macroPackets", "context",
    ]
}
