import MilterProtocol

/// The one thing a milter author writes: a decision for each message.
///
/// Only ``classify(_:)`` is required. A synchronous implementation satisfies it too:
///
/// ```swift
/// struct NoSpam: MailClassifier {
///     func classify(_ mail: MailInfo) -> Decision {
///         mail.subject.contains("viagra") ? mail.reject("spam words", client: "No spam") : mail.accept("clean")
///     }
/// }
/// ```
///
/// Classification runs off the event loops, on the server's classification threads
/// (`--threads`), so a blocking implementation (a DNS lookup, say) holds up no connection but its own.
/// A classifier whose decisions are cheap and never block can decide on the event loop instead
/// (``decideAtOnce(_:)``), as ``RulesClassifier`` does for rules without DNSBL lookups and
/// regular expressions.
/// A classifier that throws, or runs past the classifier timeout, yields the configured failure
/// verdict (tempfail by default); so does a decision the protocol cannot carry (a NUL in a header
/// value or in a quarantine reason). The connection goes on. The log names the error's type, and
/// gives its ``RedactedErrorDescription/redactedDescription`` if it has one (never its own description,
/// which may quote the message).
public protocol MailClassifier: Sendable {
    /// Decides on a complete message.
    func classify(_ mail: MailInfo) async throws -> Decision

    /// What the classifier needs from the MTA; negotiation asks for this and nothing more.
    var needs: ClassifierNeeds { get }

    /// An early check, called only for the stages in ``ClassifierNeeds/earlyChecks``.
    /// Return `nil` to go on, or a verdict, which the MTA applies as the milter protocol has it:
    /// - at CONNECT and HELO to the whole SMTP session: ACCEPT lets it through unfiltered (no more
    ///   checks, no classification), REJECT and TEMPFAIL refuse it; DISCARD means nothing there and
    ///   is ignored;
    /// - at MAIL to the message: ACCEPT lets it through unclassified, the others refuse or drop it;
    /// - at RCPT: ACCEPT and `nil` accept that recipient and the message goes on to classification;
    ///   REJECT and TEMPFAIL refuse that recipient only, and the transaction goes on; DISCARD drops
    ///   the whole message (there is no per-recipient discard in the protocol);
    /// - QUARANTINE at any stage is held until end of message (the protocol has it only there): an
    ///   accepted message is then quarantined with that reason, every message of the session for one
    ///   given at CONNECT or HELO. A refusal or discard at end of message stands.
    func check(_ event: EarlyEvent, _ mail: MailInfo) async throws -> Verdict?

    /// The decision for a complete message made at once, without leaving the connection's thread,
    /// or `nil` to have ``classify(_:)`` called on the classification threads.
    ///
    /// The server asks this first, on the event loop that serves the connection: a decision here
    /// saves the two thread hops of a classification, which cost more than simple rules. Return one
    /// only when deciding takes microseconds and never blocks (no I/O, no waiting, no pattern that
    /// can backtrack for long): other connections wait meanwhile, and the classifier timeout does
    /// not apply. The decision must be the one ``classify(_:)`` would make.
    func decideAtOnce(_ mail: MailInfo) -> Decision?
}

extension MailClassifier {
    /// By default a classifier may use every modification and quarantine, and has no early checks.
    public var needs: ClassifierNeeds { ClassifierNeeds() }

    /// By default every early event goes on.
    public func check(_ event: EarlyEvent, _ mail: MailInfo) async throws -> Verdict? { nil }

    /// By default every message goes to the classification threads.
    public func decideAtOnce(_ mail: MailInfo) -> Decision? { nil }
}

/// The stages at which a classifier may decide early.
public enum EarlyStage: Hashable, Sendable, CaseIterable {
    /// CONNECT: the client's address and name are known.
    case connect
    /// HELO/EHLO.
    case helo
    /// MAIL FROM.
    case mail
    /// Each RCPT TO.
    case recipient
}

/// An early event with what it carries; the ``MailInfo`` passed alongside holds everything so far.
public enum EarlyEvent: Hashable, Sendable {
    /// The client connected.
    case connect(ClientInfo)
    /// The client said HELO or EHLO with this name.
    case helo(String)
    /// MAIL FROM.
    case mail(EnvelopeEntry)
    /// One RCPT TO.
    case recipient(EnvelopeEntry)

    /// The stage of the event.
    public var stage: EarlyStage {
        switch self {
        case .connect: .connect
        case .helo: .helo
        case .mail: .mail
        case .recipient: .recipient
        }
    }
}

/// What a classifier needs, declared once; the server negotiates exactly this.
public struct ClassifierNeeds: Hashable, Sendable {
    /// The actions its decisions may use: modifications and quarantine.
    /// A modification outside the agreed actions is dropped and logged.
    public var actions: MilterActions
    /// The stages at which ``MailClassifier/check(_:_:)`` is called (each costs a round trip).
    public var earlyChecks: Set<EarlyStage>
    /// The macros wanted per stage (version 6 symbol lists); empty means the MTA's defaults.
    public var macros: [MacroStage: [String]]
    /// Whether the classifier reads the body at all; `false` asks the MTA not to send it.
    public var body: Bool

    /// Creates needs; the defaults allow every modification and quarantine, with no early checks.
    public init(
        actions: MilterActions = .allModifications, earlyChecks: Set<EarlyStage> = [],
        macros: [MacroStage: [String]] = [:], body: Bool = true
    ) {
        self.actions = actions
        self.earlyChecks = earlyChecks
        self.macros = macros
        self.body = body
    }
}

extension MilterActions {
    /// Every modification and quarantine: all actions but SETSYMLIST, which is negotiated from
    /// ``ClassifierNeeds/macros``.
    public static let allModifications = MilterActions.all.subtracting(.setSymbolList)
}
