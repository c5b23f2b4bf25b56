import MilterProtocol

extension MTAProfile {
    /// Postfix 3.7 (`v` is 3.7.11) with `milter_default_action = tempfail` (PROTOCOL.md §E, `milter8.c`),
    /// but for one thing of 3.10 and later: a QUARANTINE reason is kept to its first 100 bytes
    /// (``quarantineReasonLimit``), where 3.7 drops it. The replies `milter8_event` takes (SKIP at any
    /// event, modifications not negotiated) are taken the same way from 3.7 to the current snapshots; the
    /// REPLYCODE check is 3.7's (current snapshots check every line). After a verdict or a failure at CONNECT or
    /// HELO the session goes on as `smtpd.c` plays it with its defaults (``keepsSessionAfterConnectionVerdict``,
    /// checked against Postfix 3.7.11): a 5xx refusal at CONNECT makes the greeting
    /// `554 $j ESMTP not accepting connections`, one starting with 421 (SHUTDOWN's `421 4.7.0 Server closing
    /// connection` too) `421 $j Service unavailable - try again later` and ends the session; HELO gets 250 unless
    /// the refusal starts with 421; MAIL and later commands get the refusal. `smtpd_delay_reject` (default `yes`)
    /// plays no part: it delays only the `smtpd_*_restrictions`, not the milter's replies. From MAIL on a REPLYCODE
    /// starting with 421 ends the session too (`smtpd_chat_reply` hangs up after any 421). At the end of a session
    /// that had a HELO the milter gets a second ABORT before QUIT, and one after a second HELO
    /// (``abortsWhenHeloIsReset``).
    public static let postfix = MTAProfile(
        name: "postfix", timeouts: .postfix,
        defaultMacros: [
            .connect: ["j", "{daemon_name}", "{daemon_addr}", "v", "_"],
            .helo: ["{tls_version}", "{cipher}", "{cipher_bits}", "{cert_subject}", "{cert_issuer}"],
            .mail: [
                "i", "{auth_type}", "{auth_authen}", "{auth_author}", "{mail_addr}", "{mail_host}", "{mail_mailer}",
            ],
            .rcpt: ["i", "{rcpt_addr}", "{rcpt_host}", "{rcpt_mailer}"],
            .data: ["i"], .eoh: ["i"], .eom: ["i"], .unknown: [],
        ],
        sendsMacrosBeforeContent: true, sendsEmptyMacroPackets: true, ipv6AddressPrefix: "",
        abortsAfterEveryTransaction: true, quitsAfterConnectionVerdict: false, mtaVersion: "Postfix 3.7.11",
        replies: MTAReplies(
            reject: "550 5.7.1 Command rejected", tempfail: "451 4.7.1 Service unavailable - try again later",
            // smtpd.c check_milter_reply, case 'S'.
            shutdown: "421 4.7.0 Server closing connection",
            communicationError: "451 4.7.1 Service unavailable - try again later",
            configurationError: "451 4.3.5 Server configuration problem - try again later",
            noValidRecipients: "554 5.5.1 Error: no valid recipients",
            // smtpd.c smtpd_proto, after milter_conn_event.
            rejectGreeting: "554 $j ESMTP not accepting connections",
            shutdownGreeting: "421 $j Service unavailable - try again later"),
        family: .postfix, queueIDAfterFirstRecipient: true, quarantineReasonLimit: 100,
        keepsSessionAfterConnectionVerdict: true, abortsWhenHeloIsReset: true)

    /// Sendmail 8.17 with `F=T` (tempfail when the milter fails; PROTOCOL.md §F, `milter.c`). Its texts after a
    /// verdict at CONNECT or HELO are `srvrsmtp.c`'s (``keepsSessionAfterConnectionVerdict``): REJECT at CONNECT
    /// makes the greeting `554 $j ESMTP not accepting messages` (`greetcode`, `greetmsg`) and, at CONNECT or
    /// HELO, `nullserver = "Command rejected"`, which is no SMTP reply, so later commands get
    /// `usrerr("550 5.0.0 %s")`; TEMPFAIL sets `tempfail`, so MAIL gets `MSG_TEMPFAIL`; the SHUTDOWN state (a
    /// REPLYCODE starting `421 ` at CONNECT, `ReplyCode.sendmailConnectVerdict(_:)`) sends
    /// `421 4.7.0 $j closing connection` and ends the session. From MAIL on every refusal goes through `usrerr`
    /// (`SendmailUserError`: an enhanced code added, the address at MAIL and RCPT), REJECT on the content is
    /// `554 5.7.1 Command rejected` (``MTAReplies/contentReject``) and a REPLYCODE starting with 421 ends the
    /// session.
    public static let sendmail = MTAProfile(
        name: "sendmail", timeouts: .sendmail,
        defaultMacros: [
            .connect: ["j", "_", "{daemon_name}", "{if_name}", "{if_addr}"],
            .helo: ["{tls_version}", "{cipher}", "{cipher_bits}", "{cert_subject}", "{cert_issuer}"],
            .mail: [
                "i", "{auth_type}", "{auth_authen}", "{auth_ssf}", "{auth_author}", "{mail_mailer}", "{mail_host}",
                "{mail_addr}",
            ],
            .rcpt: ["{rcpt_mailer}", "{rcpt_host}", "{rcpt_addr}"],
            .data: [], .eoh: [], .eom: ["{msg_id}"], .unknown: [],
        ],
        sendsMacrosBeforeContent: false, sendsEmptyMacroPackets: false, ipv6AddressPrefix: "IPv6:",
        abortsAfterEveryTransaction: false, quitsAfterConnectionVerdict: true, mtaVersion: "8.17.1",
        replies: MTAReplies(
            reject: "550 5.7.1 Command rejected", tempfail: "451 4.3.2 Please try again later",
            shutdown: "421 4.7.0 $j closing connection",
            communicationError: "451 4.3.2 Please try again later",
            configurationError: "451 4.3.2 Please try again later",
            noValidRecipients: "554 5.5.1 No valid recipients", connectionReject: "550 5.0.0 Command rejected",
            rejectGreeting: "554 $j ESMTP not accepting messages",
            // srvrsmtp.c, after milter_data: the content's verdicts come at end of data.
            contentReject: "554 5.7.1 Command rejected",
            // srvrsmtp.c, STARTTLS after TEMPFAIL at CONNECT or HELO.
            startTLSTempfail: "454 4.7.0 Please try again later"),
        family: .sendmail, keepsSessionAfterConnectionVerdict: true)
}
