/// The values a rule field takes for a message: a field may have several (recipients).
enum RuleFields {
    static func values(of field: Rule.Field, in mail: MailInfo) -> [String] {
        switch field {
        case .subject: [mail.subject]
        case .header(let name): [mail.header(name)]
        case .sender: [mail.sender?.address ?? ""]
        case .recipient: mail.recipients.map(\.address)
        case .from: [mail.fromAddress]
        case .helo: [mail.helo]
        case .client: [mail.client.hostname, mail.client.address]
        }
    }
}
