import ReferenceMilter

/// Rejects invoices that carry a Windows executable, quarantines likely spam,
/// and marks everything else as checked.
public struct NoInvoices: MailClassifier {
    public init() {}

    // Ask only for what the decisions use: negotiation requests exactly this.
    public var needs: ClassifierNeeds { ClassifierNeeds(actions: [.addHeaders, .quarantine]) }

    public func classify(_ mail: MailInfo) -> Decision {  // an async throws func works too
        let executable = mail.attachments.contains { $0.filename.lowercased().hasSuffix(".exe") }
        if mail.subject.lowercased().contains("invoice"), executable {
            return mail.reject("exe invoice", client: "No executables, please")  // 550 5.7.1 ...
        }
        if mail.spamScore > 5 { return mail.quarantine("spam score \(mail.spamScore)") }
        return mail.accept("clean").adding(.addHeader(name: "X-Checked", value: "yes"))
    }
}
