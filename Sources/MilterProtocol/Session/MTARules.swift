/// How an MTA treats the replies that PROTOCOL.md §E and §F say differ between MTAs.
public struct MTARules: Hashable, Sendable {
    /// Whether PROGRESS is accepted before any final reply (Postfix) or only at end of message (Sendmail).
    public var progressOnlyAtEndOfMessage: Bool
    /// Whether QUARANTINE is accepted at any step (Postfix, which then holds the message: the fake
    /// MTA plays the consequences, see `MTAConnectionStateMachine+Quarantine.swift`) or only at end
    /// of message (Sendmail, whose `milter_send_command` has no case for it).
    public var quarantineOnlyAtEndOfMessage: Bool
    /// Whether CONN_FAIL (`f`) is understood. Neither Postfix nor Sendmail has a case for it.
    public var acceptsConnectionFailure: Bool
    /// Whether SHUTDOWN (`4`) is understood: Postfix answers 421 and disconnects; Sendmail only uses
    /// it as its own internal state (mfdef.h: "internal to MTA") and has no case for it as a reply.
    public var acceptsShutdown: Bool
    /// Whether a reply the MTA has no case for, answering CONNECT, HELO, MAIL, RCPT, DATA or UNKNOWN,
    /// lets that command go on, the failure action answering the commands after it (Sendmail), rather
    /// than that command itself (Postfix). See ``passesCommand(_:afterReply:)``.
    public var bogusReplyFailsNextCommand: Bool
    /// Whether the MTA sends ABORT after a successful end of message (Postfix does, Sendmail does not).
    public var abortsAfterEveryTransaction: Bool
    /// Whether DISCARD at CONNECT or HELO is ignored, the session going on (Postfix logs a warning),
    /// rather than refused as a reply that does not belong there.
    public var ignoresDiscardAtConnection: Bool
    /// Whether DISCARD at CONNECT or HELO is taken as Sendmail takes it (`milter_connect` sends QUIT
    /// and the session goes on unfiltered; `milter_helo`'s caller has no case for it and goes on),
    /// rather than refused. The owner plays the consequences and reports a warning.
    public var takesDiscardAtConnection: Bool
    /// Whether SKIP is taken before the body too, as Sendmail's `milter_send_command` does at every
    /// command (it puts the milter in `SMFS_SKIP`), rather than refused. End of message still refuses
    /// it: `milter_data` has no case for it there. The owner plays the consequences (``MTASession``
    /// keeps skipping the body after SKIP at a header or EOH) and reports a warning.
    public var takesSkipBeforeBody: Bool
    /// Whether SKIP is taken at every event, as Postfix's `milter8_event` takes it: the event gets
    /// the milter's default reply (CONTINUE), and the following events of the same type are answered
    /// the same way without being sent, nor their macros, until an event of another type goes
    /// (`skip_event_type`; an event outside the agreed version does not count, nor MACRO, ABORT or
    /// QUIT). Postfix does not check that it offered SMFIP_SKIP either. Outside BODY, and when not
    /// offered, the owner reports a warning (``MTASession/lastReplyWarning``). Without it SKIP skips
    /// only BODY chunks, until another command goes (under ``takesSkipBeforeBody``: until end of message).
    public var skipsEventType: Bool
    /// Whether a REPLYCODE the MTA cannot use is replaced by the MTA's own refusal for the step
    /// (Sendmail's `MILTER_CHECK_REPLYCODE`, see ``ReplyCode/sendmailAccepts(_:)``) rather than failing
    /// the milter, as Postfix does (with ``checksOnlyReplyCodeStart``, which takes precedence). A text
    /// that breaks ``ReplyCode/check(_:)`` is then a warning (``MTASession/lastReplyWarning``).
    public var replacesInvalidReplyCode: Bool
    /// Whether a modification or QUARANTINE that the milter did not negotiate is honoured with a
    /// warning, rather than failing the milter: Sendmail's `milter_data` logs "lied about …, honoring
    /// request anyway"; Postfix's `milter8_event` never looks at the negotiated actions.
    public var honoursUnnegotiatedModifications: Bool
    /// Whether REPLBODY that the milter did not negotiate is refused, the body kept and the message
    /// tempfailed, though ``honoursUnnegotiatedModifications`` lets the other modifications go:
    /// Sendmail's `milter_data` ("lied about replacing body, rejecting request and tempfailing
    /// message"). The owner plays that. Postfix has no such exception.
    public var refusesUnnegotiatedBodyReplacement: Bool
    /// Whether a REPLYCODE is checked only at its start, as Postfix 3.7 does (``ReplyCode/postfixProblems(in:)``),
    /// rather than line by line (``ReplyCode/problems(in:)``), as libmilter builds it and Sendmail is handed it.
    public var checksOnlyReplyCodeStart: Bool
    /// Whether a REPLYCODE at CONNECT counts only for the verdict its text reflects, the text itself dropped,
    /// as Sendmail's `milter_connect` does (``ReplyCode/sendmailConnectVerdict(_:)``), rather than being
    /// the SMTP client's reply.
    public var keepsOnlyReplyCodeVerdictAtConnect: Bool
    /// The MTA's name in the consequences that warnings name (``MTASession/lastReplyWarning``).
    public var mtaName: String

    /// Creates rules.
    public init(
        progressOnlyAtEndOfMessage: Bool, quarantineOnlyAtEndOfMessage: Bool, acceptsConnectionFailure: Bool,
        abortsAfterEveryTransaction: Bool, ignoresDiscardAtConnection: Bool = false, acceptsShutdown: Bool = true,
        bogusReplyFailsNextCommand: Bool = false, takesDiscardAtConnection: Bool = false,
        takesSkipBeforeBody: Bool = false, replacesInvalidReplyCode: Bool = false,
        honoursUnnegotiatedModifications: Bool = false, checksOnlyReplyCodeStart: Bool = false,
        skipsEventType: Bool = false, refusesUnnegotiatedBodyReplacement: Bool = false,
        keepsOnlyReplyCodeVerdictAtConnect: Bool = false, mtaName: String = "the MTA"
    ) {
        self.keepsOnlyReplyCodeVerdictAtConnect = keepsOnlyReplyCodeVerdictAtConnect
        self.skipsEventType = skipsEventType
        self.refusesUnnegotiatedBodyReplacement = refusesUnnegotiatedBodyReplacement
        self.mtaName = mtaName
        self.checksOnlyReplyCodeStart = checksOnlyReplyCodeStart
        self.ignoresDiscardAtConnection = ignoresDiscardAtConnection
        self.takesDiscardAtConnection = takesDiscardAtConnection
        self.takesSkipBeforeBody = takesSkipBeforeBody
        self.replacesInvalidReplyCode = replacesInvalidReplyCode
        self.honoursUnnegotiatedModifications = honoursUnnegotiatedModifications
        self.progressOnlyAtEndOfMessage = progressOnlyAtEndOfMessage
        self.quarantineOnlyAtEndOfMessage = quarantineOnlyAtEndOfMessage
        self.acceptsConnectionFailure = acceptsConnectionFailure
        self.acceptsShutdown = acceptsShutdown
        self.bogusReplyFailsNextCommand = bogusReplyFailsNextCommand
        self.abortsAfterEveryTransaction = abortsAfterEveryTransaction
    }

    /// Postfix's `milter8.c`.
    public static let postfix = MTARules(
        progressOnlyAtEndOfMessage: false, quarantineOnlyAtEndOfMessage: false, acceptsConnectionFailure: false,
        abortsAfterEveryTransaction: true, ignoresDiscardAtConnection: true, honoursUnnegotiatedModifications: true,
        checksOnlyReplyCodeStart: true, skipsEventType: true, mtaName: "Postfix")
    /// Sendmail's `milter.c`.
    public static let sendmail = MTARules(
        progressOnlyAtEndOfMessage: true, quarantineOnlyAtEndOfMessage: true, acceptsConnectionFailure: false,
        abortsAfterEveryTransaction: false, acceptsShutdown: false, bogusReplyFailsNextCommand: true,
        takesDiscardAtConnection: true, takesSkipBeforeBody: true, replacesInvalidReplyCode: true,
        honoursUnnegotiatedModifications: true, refusesUnnegotiatedBodyReplacement: true,
        keepsOnlyReplyCodeVerdictAtConnect: true, mtaName: "Sendmail")

    /// Whether `step`, answered with the reply whose byte is `reply` (a byte that is no reply at all
    /// included), goes on as if the milter had said CONTINUE, the failure action waiting for the next
    /// command: with ``bogusReplyFailsNextCommand``, for every reply but the verdicts, CONTINUE and
    /// SKIP at CONNECT, HELO, MAIL, RCPT, DATA and UNKNOWN.
    ///
    /// Sendmail's `milter_send_command` logs "returned bogus response" for such a reply and calls
    /// `milter_error`, which closes the socket without QUIT and puts the milter in its error state,
    /// but leaves the command's state at CONTINUE; `milter_command` applies the failure action
    /// (`MILTER_CHECK_ERROR`) only on the milter's next command. Headers, EOH, body and end of
    /// message go through `milter_data`, which applies it at once (`MILTER_CHECK_RESULTS`).
    public func passesCommand(_ step: MilterCommand.ID, afterReply reply: UInt8) -> Bool {
        guard bogusReplyFailsNextCommand else { return false }
        switch step {
        case .connect, .helo, .mail, .recipient, .data, .unknown: break
        default: return false
        }
        switch MilterReply.ID(rawValue: reply) {
        case .continue?, .accept?, .reject?, .tempfail?, .discard?, .replyCode?, .skip?: return false
        default: return true
        }
    }
}
