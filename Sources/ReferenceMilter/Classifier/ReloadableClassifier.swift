import NIOConcurrencyHelpers

/// A classifier whose implementation can be replaced while the server runs (SIGHUP re-reading a
/// rules file). A message is classified by the classifier current when its classification starts;
/// a connection negotiates with the ``needs`` current at its start.
public final class ReloadableClassifier: MailClassifier {
    private let current: NIOLockedValueBox<any MailClassifier>

    /// Starts with `initial`.
    public init(_ initial: any MailClassifier) {
        current = NIOLockedValueBox(initial)
    }

    /// Makes `classifier` the one used from now on.
    public func replace(with classifier: any MailClassifier) {
        current.withLockedValue { $0 = classifier }
    }

    /// The classifier in use.
    public var classifier: any MailClassifier { current.withLockedValue { $0 } }

    /// Classifies with the current classifier.
    public func classify(_ mail: MailInfo) async throws -> Decision {
        try await classifier.classify(mail)
    }

    /// The current classifier's needs.
    public var needs: ClassifierNeeds { classifier.needs }

    /// The current classifier's decision at once, if it makes one.
    public func decideAtOnce(_ mail: MailInfo) -> Decision? {
        classifier.decideAtOnce(mail)
    }

    /// The current classifier's early check.
    public func check(_ event: EarlyEvent, _ mail: MailInfo) async throws -> Verdict? {
        try await classifier.check(event, mail)
    }
}
