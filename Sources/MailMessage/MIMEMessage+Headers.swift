extension MIMEMessage {
    /// The first mailbox of From, or ``Mailbox/empty`` (name and address `""`) when missing.
    public var from: Mailbox { addresses("From").first ?? .empty }
    /// The first mailbox of Sender, or ``Mailbox/empty``.
    public var sender: Mailbox { addresses("Sender").first ?? .empty }
    /// The first mailbox of Reply-To, or ``Mailbox/empty``.
    public var replyTo: Mailbox { addresses("Reply-To").first ?? .empty }
    /// Every mailbox of every To field.
    public var to: [Mailbox] { addresses("To") }
    /// Every mailbox of every Cc field.
    public var cc: [Mailbox] { addresses("Cc") }
    /// Every mailbox of every Bcc field.
    public var bcc: [Mailbox] { addresses("Bcc") }

    /// The subject, unfolded and RFC 2047 decoded, or `""` when missing.
    public var subject: String { header("Subject") ?? "" }

    /// The Date field, parsed; nil when missing or unreadable.
    public var date: MailDate? { header("Date").flatMap { MailDate(parsing: $0) } }

    /// The Message-ID without angle brackets, or nil.
    public var messageID: String? { headers.first(named: "Message-ID").flatMap { MessageID.parse($0.valueBytes[...]) } }

    /// The identifiers of In-Reply-To.
    public var inReplyTo: [String] { messageIDs("In-Reply-To") }

    /// The identifiers of References.
    public var references: [String] { messageIDs("References") }

    /// The mailboxes of every field called `name`, parsed as address lists, groups flattened.
    public func addresses(_ name: String) -> [Mailbox] {
        headers.all(named: name).flatMap { AddressList(parsing: $0.valueBytes[...]).mailboxes }
    }

    /// The Received fields, parsed, newest (topmost) first.
    public var received: [ReceivedHeader] {
        headers.all(named: "Received").map { ReceivedHeader(parsing: $0.valueBytes[...]) }
    }

    /// The client IP of each Received field that names one, newest first.
    public var receivedIPs: [IPAddress] { received.compactMap(\.fromIP) }

    /// The client IP of the newest Received field whose client is not private, loopback or link-local:
    /// usually the host that handed the message to the first trusted relay.
    public var firstPublicReceivedIP: IPAddress? { receivedIPs.first { !$0.isPrivateOrLocal } }

    private func messageIDs(_ name: String) -> [String] {
        headers.all(named: name).flatMap { MessageID.parseList($0.valueBytes[...]) }
    }
}
