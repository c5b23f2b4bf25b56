/// How an MTA treats the replies that PROTOCOL.md §E and §F say differ between MTAs.
public struct MTARules: Hashable, Sendable {
    /// Whether PROGRESS is accepted before any final reply (Postfix) or only at end of message (Sendmail).
    public var progressOnlyAtEndOfMessage: Bool
    /// Whether QUARANTINE is accepted at any step (Postfix) or only at end of message (Sendmail).
    public var quarantineOnlyAtEndOfMessage: Bool
    /// Whether CONN_FAIL (`f`) is understood.
    public var acceptsConnectionFailure: Bool
    /// Whether the MTA sends ABORT after a successful end of message (Postfix does, Sendmail does not).
    public var abortsAfterEveryTransaction: Bool
    /// Whether DISCARD at CONNECT or HELO is ignored, the session going on (Postfix logs a warning),
    /// rather than refused as a reply that does not belong there.
    public var ignoresDiscardAtConnection: Bool

    /// Creates rules.
    public init(
        progressOnlyAtEndOfMessage: Bool, quarantineOnlyAtEndOfMessage: Bool, acceptsConnectionFailure: Bool,
        abortsAfterEveryTransaction: Bool, ignoresDiscardAtConnection: Bool = false
    ) {
        self.ignoresDiscardAtConnection = ignoresDiscardAtConnection
        self.progressOnlyAtEndOfMessage = progressOnlyAtEndOfMessage
        self.quarantineOnlyAtEndOfMessage = quarantineOnlyAtEndOfMessage
        self.acceptsConnectionFailure = acceptsConnectionFailure
        self.abortsAfterEveryTransaction = abortsAfterEveryTransaction
    }

    /// Postfix's `milter8.c`.
    public static let postfix = MTARules(
        progressOnlyAtEndOfMessage: false, quarantineOnlyAtEndOfMessage: false, acceptsConnectionFailure: false,
        abortsAfterEveryTransaction: true, ignoresDiscardAtConnection: true)
    /// Sendmail's `milter.c`.
    public static let sendmail = MTARules(
        progressOnlyAtEndOfMessage: true, quarantineOnlyAtEndOfMessage: true, acceptsConnectionFailure: true,
        abortsAfterEveryTransaction: false)
}
