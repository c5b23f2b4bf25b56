extension MTAConnectionStateMachine {
    /// Whether the connection is open with nothing under way: where a recorded transaction
    /// (``ExchangeMemoStore``) may start and must end.
    var standsBetweenTransactions: Bool {
        mutating get {
            status == .open && socketOpen && !closeDue && afterClose == nil && message == nil && pending == nil
                && outgoing == nil
        }
    }

    /// Takes what a transaction changes from `after`, the machine recorded after the same
    /// transaction on a connection with the same history (``ExchangeDigest``), with this
    /// transaction's queue ID `queueID`. The rest (configuration, client, tag, clock, negotiation,
    /// macro plan, spare buffer) is this connection's own, and equal to the recording's wherever
    /// the history decides it; the caches of macro names and packets are left to fill again.
    /// Copied field by field: a whole machine is a large value, and copying it cost a quarter of
    /// a replayed transaction's user time.
    mutating func adopt(transactionOf after: MTAConnectionStateMachine, queueID: String) {
        session = after.session
        status = after.status
        socketOpen = after.socketOpen
        closeDue = after.closeDue
        afterClose = after.afterClose
        transaction = after.transaction
        skippingBody = after.skippingBody
        lastSent = after.lastSent
        lastWrittenWasLoneMacro = after.lastWrittenWasLoneMacro
        transactionCount = after.transactionCount
        connectionFindings = after.connectionFindings
        context = after.context
        if context.queueID != nil { context.queueID = queueID }
        purpose = after.purpose
        outgoing = after.outgoing
        pending = after.pending
        message = after.message
        assert(Self.sameState(self, after), "a replayed transaction must leave the machine it recorded")
    }

    /// The fields ``adopt(transactionOf:queueID:)`` leaves as they are, or patches.
    private static let ownFields: Set<String> = [
        "now", "connectionTag", "client", "negotiation", "spareBuffer", "plannedMacros", "macroPackets", "context",
    ]

    /// Whether two machines agree on every field but a connection's own (a check for debug builds).
    private static func sameState(_ mine: MTAConnectionStateMachine, _ recorded: MTAConnectionStateMachine) -> Bool {
        let theirs = Dictionary(
            Mirror(reflecting: recorded).children.compactMap { child in child.label.map { ($0, child.value) } },
            uniquingKeysWith: { first, _ in first })
        for child in Mirror(reflecting: mine).children {
            guard let label = child.label, !ownFields.contains(label), let other = theirs[label] else { continue }
            if String(reflecting: child.value) != String(reflecting: other) { return false }
        }
        return true
    }
}
