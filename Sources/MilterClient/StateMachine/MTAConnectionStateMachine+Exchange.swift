extension MTAConnectionStateMachine {
    /// Whether the connection is open with nothing under way: where a recorded transaction
    /// (``ExchangeMemoStore``) may start and must end.
    var standsBetweenTransactions: Bool {
        mutating get {
            status == .open && socketOpen && !closeDue && afterClose == nil && message == nil && pending == nil
                && outgoing == nil
        }
    }

    /// This machine, recorded after a transaction on another connection with the same history,
    /// made `connection`'s: its own tag, client, clock, OPTNEG timing and spare buffer, and the
    /// transaction's queue ID `queueID`. Everything else follows from the history.
    mutating func adopt(from connection: MTAConnectionStateMachine, queueID: String) {
        connectionTag = connection.connectionTag
        client = connection.client
        now = connection.now
        negotiation = connection.negotiation
        spareBuffer = connection.spareBuffer
        if context.queueID != nil { context.queueID = queueID }
    }
}
