import MilterProtocol

extension MTAConnectionStateMachine {
    /// The protocol the MTA's own `Received:` header names after `with`.
    ///
    /// As Postfix's `smtpd` writes it (`smtpd_header_out`): the session's protocol (``smtpProtocol``: `SMTP` after
    /// HELO, `ESMTP` after EHLO, or what XCLIENT's `PROTO` said), `UTF8SMTP` instead for a MAIL with `SMTPUTF8`, then
    /// RFC 3848's `S` when STARTTLS started a TLS session and `A` when the client has a SASL login
    /// (``SMTPClient/login``), both only for an ESMTP session: `ESMTP`, `ESMTPS`, `ESMTPA`, `ESMTPSA`, `SMTP`.
    ///
    /// As Sendmail writes it (its `$r`, ``sendmailProtocol``): what the last HELO or EHLO made it, `SMTP` before any.
    func receivedProtocol(sender: EnvelopeAddress?) -> String {
        if configuration.profile.family == .sendmail { return sendmailProtocol ?? "SMTP" }
        let utf8 = sender?.arguments.contains { $0.string.uppercased() == "SMTPUTF8" } ?? false
        var name = utf8 ? "UTF8SMTP" : smtpProtocol.rawValue
        guard smtpProtocol == .esmtp else { return name }
        if context.tls != nil { name += "S" }
        if client.login != nil { name += "A" }
        return name
    }

    /// The client's HELO (`extended`: EHLO) changes the session's protocol: Postfix's EHLO makes it ESMTP and its
    /// HELO leaves it as it was (``smtpProtocol``); Sendmail's sets it anew each time (``sendmailProtocol``).
    mutating func greeted(extended: Bool) {
        if extended { smtpProtocol = .esmtp }
        sendmailProtocol = sendmailGreetingProtocol(extended: extended)
    }

    /// The protocol Sendmail 8.17 (`srvrsmtp.c`) sets at HELO and EHLO: `SMTP` at HELO, and at EHLO its
    /// `GET_PROTOCOL()` of that moment: `ESMTP`, then RFC 3848's `S` when a TLS session is active and `A` when the
    /// client has a SASL login (``SMTPClient/login``, taken as authenticated before the greeting), in that order.
    /// It is not changed until the next HELO or EHLO: a STARTTLS after EHLO leaves `ESMTP` until the client greets
    /// again. `UTF8SMTP` (a MAIL with `SMTPUTF8`) is never written: Debian's build has no `USE_EAI`, and with it the
    /// `SMTPUTF8` option is off by default, so Sendmail refuses such a MAIL (`555 5.5.4` or `504 5.7.0`).
    private func sendmailGreetingProtocol(extended: Bool) -> String {
        guard extended else { return "SMTP" }
        var name = "ESMTP"
        if context.tls != nil { name += "S" }
        if client.login != nil { name += "A" }
        return name
    }
}
