/// A message complete at end of message, as ``SessionAction/classify(_:)`` hands it to the connection.
///
/// Shared by reference and never changed: the connection hands it to the classifier, its log line and
/// the observer without copying the ``MailInfo`` (a dozen references, each retained by a copy).
final class CompletedMail: Sendable {
    /// The message, the header fields and the body included.
    let mail: MailInfo

    init(_ mail: MailInfo) { self.mail = mail }
}
