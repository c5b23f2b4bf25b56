import MilterClient

/// How many exchanges a load run sent from their record (`MilterClient`'s exchange store), and how
/// many went another way and were judged by the state machine: what the summary says, so that a
/// rate is never read without knowing how much of it replayed an exchange already judged.
package struct ExchangeReuseCounts: Sendable, Equatable, Codable {
    /// Transactions sent from a record and answered as recorded.
    package var transactionsReused: Int
    /// Transactions sent from a record that the milter answered otherwise.
    package var transactionsDiverged: Int
    /// Connections whose OPTNEG, CONNECT and HELO were sent from a record and answered as recorded.
    package var greetingsReused: Int
    /// Connections whose own steps were sent from a record and answered otherwise.
    package var greetingsDiverged: Int

    /// The counts of `store` at the end of a run.
    package init(_ store: ExchangeMemoStore) {
        (transactionsReused, transactionsDiverged) = store.outcomes
        (greetingsReused, greetingsDiverged) = store.greetingOutcomes
    }
}

/// How many sessions a capture replay sent from the recording of their first replay
/// (``SessionMemos``), and how many went another way and were judged by the state machine.
package struct SessionReuseCounts: Sendable, Equatable, Codable {
    /// Sessions sent from a recording and answered as recorded.
    package var sessionsReused: Int
    /// Sessions sent from a recording that the milter answered otherwise.
    package var sessionsDiverged: Int
}
