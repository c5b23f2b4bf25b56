import MilterProtocol

/// What the SMTP client is told after the milter refused the connection at CONNECT or HELO, or shut it down.
struct ConnectionRefusal: Hashable {
    /// The reply to the refused step itself; `nil` when the MTA answers it as usual (its greeting, 250 to HELO).
    var stepReply: String?
    /// The reply to every later command.
    var laterReply: String
    /// Whether a later HELO is still answered as usual rather than with ``laterReply``.
    var answersHelo: Bool

    /// `reply` to the step and to every later command: the session is over.
    static func everyCommand(_ reply: String) -> Self { Self(stepReply: reply, laterReply: reply, answersHelo: false) }
}

extension ConnectionRefusal {
    /// The refusal `refusal` that `verdict` (REJECT, TEMPFAIL, REPLYCODE, or SHUTDOWN) at `step`, CONNECT or HELO,
    /// gives under `profile`. Without ``MTAProfile/keepsSessionAfterConnectionVerdict`` the refusal answers the
    /// step and every later command; with it the profile's family says how the MTA goes on
    /// (``postfix(_:at:replies:hostname:)``, ``sendmail(_:refusal:at:replies:hostname:)``).
    init(_ verdict: MilterReply, refusal: String, at step: MilterCommand.ID, profile: MTAProfile, hostname: String) {
        guard profile.keepsSessionAfterConnectionVerdict else {
            self = .everyCommand(refusal)
            return
        }
        switch profile.family {
        case .postfix: self = .postfix(refusal, at: step, replies: profile.replies, hostname: hostname)
        case .sendmail:
            self = .sendmail(verdict, refusal: refusal, at: step, replies: profile.replies, hostname: hostname)
        }
    }

    /// Postfix's `smtpd.c` (3.7 to the current snapshots), which answers with the refusal `milter8_event` made of
    /// the verdict (``MTAReplies/reject``, ``MTAReplies/tempfail``, a REPLYCODE's text, ``MTAReplies/shutdown``
    /// for SHUTDOWN, as `check_milter_reply` makes it) and `milter8.c` keeps as the milter's `def_reply`
    /// (`MILTER8_STAT_REJECT_CON`) for every later event. At CONNECT `smtpd_proto` greets with
    /// ``MTAReplies/rejectGreeting`` when the refusal is a 5xx, with ``MTAReplies/shutdownGreeting`` when it starts
    /// with 421 (`smtpd_chat_reply` then sets `SMTPD_FLAG_HANGUP`: the session ends), else as usual; at HELO
    /// `helo_cmd` and `ehlo_cmd` send a refusal starting with 421 (and hang up), else 250. The session goes on
    /// otherwise: HELO gets 250 then and later, MAIL and the other commands get the refusal.
    ///
    /// None of this depends on `smtpd_delay_reject` (default `yes`), which only delays the `smtpd_*_restrictions`:
    /// the milter events at CONNECT and HELO go whatever its value. The profile models Postfix's defaults: no
    /// client or HELO restrictions that reject first, `soft_bounce = no` (which would make a REPLYCODE's 5 a 4),
    /// and `smtpd_hard_error_limit = 20` (the 554 greeting counts as one error; a test sends far fewer commands).
    static func postfix(_ refusal: String, at step: MilterCommand.ID, replies: MTAReplies, hostname: String) -> Self {
        let hangsUp = refusal.hasPrefix("421")
        guard step == .connect else {
            return hangsUp ? .everyCommand(refusal) : Self(stepReply: nil, laterReply: refusal, answersHelo: true)
        }
        if hangsUp { return .everyCommand(replies.expanded(replies.shutdownGreeting ?? refusal, hostname: hostname)) }
        let greeting = refusal.hasPrefix("5") ? replies.rejectGreeting : nil
        return Self(
            stepReply: greeting.map { replies.expanded($0, hostname: hostname) }, laterReply: refusal,
            answersHelo: true)
    }

    /// Sendmail's `srvrsmtp.c` answers to `milter_connect` and `milter_helo`: the session goes on with
    /// `nullserver` (REJECT, or a REPLYCODE's text at HELO) or `tempfail` (TEMPFAIL) set, HELO answered as
    /// usual; a REPLYCODE at HELO starting `421 ` or `421-` is sent to HELO and ends the session (`goto doquit`),
    /// as SHUTDOWN does. A REPLYCODE's text goes through `usrerr` (``SendmailUserError``).
    static func sendmail(
        _ verdict: MilterReply, refusal: String, at step: MilterCommand.ID, replies: MTAReplies, hostname: String
    ) -> Self {
        switch verdict {
        case .reject:
            let greeting = step == .connect ? replies.rejectGreeting : nil
            return Self(
                stepReply: greeting.map { replies.expanded($0, hostname: hostname) },
                laterReply: replies.connectionReject, answersHelo: true)
        case .shutdown, .connectionFailure: return .everyCommand(refusal)
        case .replyCode where refusal.hasPrefix("421 ") || refusal.hasPrefix("421-"):
            return .everyCommand(SendmailUserError.format(refusal))
        case .replyCode: return Self(stepReply: nil, laterReply: SendmailUserError.format(refusal), answersHelo: true)
        default: return Self(stepReply: nil, laterReply: refusal, answersHelo: true)
        }
    }
}
