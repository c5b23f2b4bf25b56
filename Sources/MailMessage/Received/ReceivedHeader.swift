/// A Received trace field (RFC 5321 section 4.4), split into its clauses.
///
/// For `from mx.example.com (mx.example.com [192.0.2.7]) by mail.example.org with ESMTPS id 4Xyz
/// for <bob@example.org>; Tue, 2 Jan 2024 03:04:05 +0000` the parts are `from` = `mx.example.com`,
/// `fromComment` = `mx.example.com [192.0.2.7]`, `by` = `mail.example.org`, `with` = `ESMTPS`,
/// `id` = `4Xyz`, `for` = `bob@example.org`, and `fromIP` = 192.0.2.7.
public struct ReceivedHeader: Sendable, Hashable {
    /// The name the client gave (HELO/EHLO) or the first word of the from clause.
    public var from: String?
    /// The comment(s) of the from clause: reverse DNS name, IP literal, `helo=`, as the MTA wrote them.
    public var fromComment: String?
    /// The receiving host.
    public var by: String?
    /// The link type (`via`).
    public var via: String?
    /// The protocol: `SMTP`, `ESMTP`, `ESMTPS`, `ESMTPSA`, `LMTP` and so on.
    public var with: String?
    /// The receiving MTA's queue id.
    public var id: String?
    /// The recipient, without angle brackets.
    public var `for`: String?
    /// The date after the last `;`.
    public var date: MailDate?
    /// Every IP address literal in the field, in order, without duplicates.
    public var ipAddresses: [IPAddress]
    /// The connecting client: the first IP address in the from clause's comment, which the receiving MTA
    /// wrote (`from helo.example (rdns.example [192.0.2.7])`), else the first in its name (Exim's
    /// `from [192.0.2.7] (helo=...)`). What the client said in HELO (`helo=[10.0.0.1]`, qmail's
    /// `(HELO [10.0.0.1])`) is never taken, nor a HELO name before a comment that has an address.
    public var fromIP: IPAddress?

    /// Parses a raw (possibly folded) Received field value. Never fails; missing clauses are nil.
    public init(parsing value: ArraySlice<UInt8>) {
        let text = Charsets.decodeUnlabelled(Unfolding.unfold(value))
        let semicolon = text.lastIndex(of: ";")
        let clauses = semicolon.map { String(text[..<$0]) } ?? text
        date = semicolon.flatMap { MailDate(parsing: String(text[text.index(after: $0)...])) }
        var reader = ReceivedClauseReader()
        reader.read(clauses)
        from = reader.values["from"]
        fromComment = reader.comments["from"]
        by = reader.values["by"]
        via = reader.values["via"]
        with = reader.values["with"]
        id = reader.values["id"]
        `for` = reader.values["for"].map { $0.trimmingAngleBrackets() }
        ipAddresses = ReceivedIPScanner.addresses(in: clauses)
        fromIP =
            ReceivedIPScanner.addresses(in: ReceivedIPScanner.withoutHELO(fromComment ?? "")).first
            ?? ReceivedIPScanner.addresses(in: from ?? "").first
    }
}

extension String {
    fileprivate func trimmingAngleBrackets() -> String {
        var text = Substring(self)
        if text.hasPrefix("<") { text = text.dropFirst() }
        if text.hasSuffix(">") { text = text.dropLast() }
        return String(text)
    }
}
