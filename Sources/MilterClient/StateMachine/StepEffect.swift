import MilterProtocol

/// What a final reply means to the MTA at a given step (Postfix `milter8_event`).
enum StepEffect: Hashable, Sendable {
    /// Go on with the next event.
    case proceed
    /// SKIP at a body chunk: send no more (Sendmail: none at all after SKIP at a header or EOH).
    case skipRest
    /// ACCEPT in a transaction: deliver without further milter events.
    case acceptMessage
    /// ACCEPT at CONNECT or HELO: no more events for the whole connection. Sendmail does the same
    /// after DISCARD at CONNECT, and after SKIP at any command before the content (`SMFS_SKIP`).
    case acceptConnection
    /// DISCARD: drop the message.
    case discard
    /// A refusal of the message, or of one recipient at RCPT.
    case refuse(String)
    /// A refusal of the whole connection: the milter socket is closed, later commands get the refusal.
    case closeConnection(ConnectionRefusal)

    /// The effect of `reply` at `step` under `rules`, with the texts of `profile`; `hostname` is the MTA's and
    /// `address` the argument of the MAIL or RCPT being answered (Sendmail writes it into some refusals).
    init(
        final reply: MilterReply, at step: MilterCommand.ID, rules: MTARules, profile: MTAProfile, hostname: String,
        address: String? = nil
    ) {
        let replies = profile.replies
        let connectionLevel = step == .connect || step == .helo
        let refusal: String
        switch reply {
        case .continue, .optionNegotiation, .progress, .quarantine: self = .proceed; return
        case .skip: self = Self.skip(at: step, rules: rules); return
        case .accept: self = connectionLevel ? .acceptConnection : .acceptMessage; return
        case .discard:
            // Sendmail's milter_connect sends QUIT on any verdict; Postfix, and Sendmail at HELO, ignore it.
            let quits = step == .connect && rules.takesDiscardAtConnection
            self = connectionLevel ? (quits ? .acceptConnection : .proceed) : .discard
            return
        case .shutdown, .connectionFailure:
            refusal = replies.expanded(replies.shutdown, hostname: hostname)
            guard connectionLevel else {
                self = .closeConnection(.everyCommand(refusal))
                return
            }
        case .reject:
            let content = [.header, .endOfHeaders, .body, .endOfMessage].contains(step)
            refusal = content ? replies.contentReject : replies.reject
        case .tempfail: refusal = replies.tempfail
        case .replyCode(let text) where step == .connect && rules.keepsOnlyReplyCodeVerdictAtConnect:
            self = Self(
                final: ReplyCode.sendmailConnectVerdict(text), at: step, rules: rules, profile: profile,
                hostname: hostname)
            return
        case .replyCode(let text):
            // Sendmail's MILTER_CHECK_REPLYCODE swaps a text it cannot use for its own refusal.
            let replaced = rules.replacesInvalidReplyCode && !ReplyCode.sendmailAccepts(text)
            refusal = replaced ? ReplyCode.sendmailDefault(for: step) : ReplyCode.postfixText(text)
        default: self = .proceed; return
        }
        guard connectionLevel else {
            switch profile.family {
            case .sendmail: self = Self.sendmail(reply, refusal, address: address)
            // smtpd_chat_reply (smtpd_chat.c) hangs up after any 421 it sends.
            case .postfix: self = refusal.hasPrefix("421") ? .closeConnection(.everyCommand(refusal)) : .refuse(refusal)
            }
            return
        }
        self = .closeConnection(
            ConnectionRefusal(reply, refusal: refusal, at: step, profile: profile, hostname: hostname))
    }

    /// A refusal from MAIL on as Sendmail's `srvrsmtp.c` sends it (`MILTER_REPLY` at MAIL and RCPT, the cases
    /// after `milter_data_cmd` and `milter_data`): through `usrerr` (``SendmailUserError``), which adds a missing
    /// enhanced code and, at MAIL and RCPT, the address; a REPLYCODE starting `421 ` or `421-` also ends the session
    /// (`goto doquit`, `rv = false`), as Sendmail 8.17.1.9 did at MAIL, RCPT, DATA, end of headers and end of
    /// message.
    private static func sendmail(_ reply: MilterReply, _ refusal: String, address: String?) -> StepEffect {
        let text = SendmailUserError.format(refusal, address: address)
        guard case .replyCode = reply, text.hasPrefix("421 ") || text.hasPrefix("421-") else { return .refuse(text) }
        return .closeConnection(.everyCommand(text))
    }

    /// SKIP. Under ``MTARules/skipsEventType`` (Postfix) CONTINUE, the body skipped after a chunk; the
    /// events of the same type that follow are left out by ``MTASession/skips(_:)``. Otherwise
    /// ``MTASession`` allows it outside the body only under ``MTARules/takesSkipBeforeBody``: the body
    /// skipped from a content step on, the milter left out of the connection from an earlier one
    /// (Sendmail's `SMFS_SKIP`, which only `milter_body` resets).
    private static func skip(at step: MilterCommand.ID, rules: MTARules) -> StepEffect {
        switch step {
        case .body: .skipRest
        case _ where rules.skipsEventType: .proceed
        case .header, .endOfHeaders: .skipRest
        default: .acceptConnection
        }
    }
}

extension ReplyCode {
    /// A REPLYCODE text as Postfix uses it: `%%` becomes `%`, a single `%` is dropped.
    static func postfixText(_ text: MilterString) -> String {
        var out: [UInt8] = []
        // A C string: bytes a milter sent after the NUL do not count.
        var iterator = text.bytes.prefix { $0 != 0 }.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let next = iterator.next() else { break }
                out.append(next)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Disposition {
    /// The verdict for an SMTP refusal: 5xx rejects, anything else tempfails.
    init(refusal text: String) {
        self = text.first == "5" ? .reject : .tempfail
    }
}
