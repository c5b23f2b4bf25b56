/// The warnings for replies Sendmail takes though the protocol does not allow them (`sendmail/milter.c`).
extension MTASession {
    /// The warning for a REPLYCODE under ``MTARules/replacesInvalidReplyCode``, or `nil` for a valid one.
    /// A text Sendmail accepts goes to the SMTP client as it is, even if it breaks ``ReplyCode/check(_:)``;
    /// one it does not is replaced by ``ReplyCode/sendmailDefault(for:)``.
    static func sendmailReplyCodeWarning(_ text: MilterString, at step: MilterCommand.ID) -> MilterProtocolError? {
        let problems = ReplyCode.problems(in: text)
        let accepted = ReplyCode.sendmailAccepts(text)
        guard !problems.isEmpty || !accepted else { return nil }
        let problem = sendmailProblem(text) ?? "Sendmail cannot use it"
        let consequence =
            accepted
            ? "Sendmail sends it as it is" : "Sendmail replies \(ReplyCode.sendmailDefault(for: step)) instead"
        return MilterProtocolError(
            .invalidReplyCode, commandByte: MilterReply.ID.replyCode.rawValue,
            excerpt: Redaction.excerpt(text.bytes), detail: "\(problem): \(consequence)")
    }

    /// The warning for any REPLYCODE at CONNECT under ``MTARules/keepsOnlyReplyCodeVerdictAtConnect``: Sendmail's
    /// `milter_connect` drops the text and keeps only the verdict it reflects (``ReplyCode/sendmailConnectVerdict(_:)``),
    /// which `srvrsmtp.c` then answers as it answers that verdict. A text Sendmail cannot use (or that breaks
    /// ``ReplyCode/check(_:)``) says so first.
    static func sendmailConnectReplyCodeWarning(_ text: MilterString) -> MilterProtocolError {
        let verdict = ReplyCode.sendmailConnectVerdict(text)
        let problem = sendmailProblem(text) ?? (ReplyCode.sendmailAccepts(text) ? nil : "Sendmail cannot use it")
        let consequence = "Sendmail drops the text at CONNECT and answers as for \(verdict.id)"
        return MilterProtocolError(
            problem == nil ? .replyNotAllowedHere : .invalidReplyCode, commandByte: MilterReply.ID.replyCode.rawValue,
            excerpt: Redaction.excerpt(text.bytes),
            detail: problem.map { "\($0): \(consequence)" } ?? "REPLYCODE after CONNECT: \(consequence)")
    }

    /// The first problem of a REPLYCODE text, in words: a payload with no NUL at its end first (`milter_read`
    /// keeps the bytes as read, and `MILTER_CHECK_REPLYCODE` finds `strlen(response) + 1 != rlen`).
    private static func sendmailProblem(_ text: MilterString) -> String? {
        if ReplyCode.lacksTerminator(text) { return "no NUL at the end of the payload" }
        return ReplyCode.problems(in: text).first?.description
    }

    /// What Sendmail does after SKIP at `step` before the body. `milter_send_command` leaves the command
    /// at CONTINUE and puts the milter in `SMFS_SKIP`, which `milter_command` and `milter_data` pass
    /// over and only `milter_body` resets; `milter_headers` goes on sending headers regardless.
    static func sendmailSkipConsequence(at step: MilterCommand.ID) -> String {
        switch step {
        case .header, .endOfHeaders: "Sendmail sends no body, but the rest of the headers, EOH and end of message"
        default: "Sendmail goes on as for CONTINUE and sends the milter nothing more of the connection but QUIT"
        }
    }
}
