/// A classifier's answer for one message: a verdict, the modifications to apply, and the reason
/// that goes into the decision log line.
public struct Decision: Hashable, Sendable {
    /// What happens to the message.
    public var verdict: Verdict
    /// Changes applied before the verdict, only when the message is delivered (accept or quarantine).
    public var modifications: [Modification]
    /// Why: logged as `<queue-id>: ACCEPT (<reason>)`. Never sent to the client.
    public var reason: String
    /// Whether the server made this decision itself, without the classifier, because the transaction went
    /// over the memory budget (``memoryBudgetReason`` is its reason): told by this flag, not by the text, which
    /// a classifier may give too.
    package var isMemoryBudgetRefusal = false

    /// Creates a decision.
    public init(_ verdict: Verdict, reason: String = "", modifications: [Modification] = []) {
        self.verdict = verdict
        self.reason = reason
        self.modifications = modifications
    }

    /// Accept, with a reason for the log.
    public static func accept(_ reason: String = "", modifications: [Modification] = []) -> Decision {
        Decision(.accept, reason: reason, modifications: modifications)
    }

    /// Reject with a reply text: `550 5.7.1 <clientText>` unless another code is given.
    ///
    /// A `code` outside 500–599 becomes 550 (an enhanced code of another class is then dropped): the MTA acts on
    /// the reply's code, so a 4xx code here would have the message retried while the log said REJECT.
    public static func reject(
        _ reason: String, client clientText: String, code: Int = 550, enhancedCode: String = "5.7.1"
    ) -> Decision {
        let code = (500...599).contains(code) ? code : 550
        return Decision(.reject(.sanitized(code: code, enhancedCode: enhancedCode, text: clientText)), reason: reason)
    }

    /// Tempfail with a reply text: `451 4.7.1 <clientText>` unless another code is given.
    ///
    /// A `code` outside 400–499 becomes 451 (an enhanced code of another class is then dropped): a 5xx code here
    /// would have the message refused for good while the log said TEMPFAIL.
    public static func tempfail(
        _ reason: String, client clientText: String, code: Int = 451, enhancedCode: String = "4.7.1"
    ) -> Decision {
        let code = (400...499).contains(code) ? code : 451
        return Decision(
            .tempfail(.sanitized(code: code, enhancedCode: enhancedCode, text: clientText)), reason: reason)
    }

    /// Discard silently.
    public static func discard(_ reason: String = "") -> Decision { Decision(.discard, reason: reason) }

    /// Quarantine (the MTA's hold queue), with the reason given to the MTA and to the log.
    public static func quarantine(_ reason: String, modifications: [Modification] = []) -> Decision {
        Decision(.quarantine(reason), reason: reason, modifications: modifications)
    }

    /// A copy with one more modification.
    public func adding(_ modification: Modification) -> Decision {
        var copy = self
        copy.modifications.append(modification)
        return copy
    }

    /// The reason of the tempfail the server gives a transaction that went over the memory budget, without
    /// asking the classifier.
    package static let memoryBudgetReason = "memory budget reached"

    /// The tempfail the server gives a transaction that went over the memory budget, without asking the
    /// classifier.
    package static var memoryBudgetRefusal: Decision {
        var decision = Decision(.tempfail(nil), reason: memoryBudgetReason)
        decision.isMemoryBudgetRefusal = true
        return decision
    }

    /// The decision log line, in srmilter's shape: `<queue-id>: REJECT (<reason>) "<client text>"`.
    public func logLine(queueID: String) -> String {
        var line = "\(queueID): \(verdict.name) (\(reason))"
        if let text = verdict.clientText { line += " \"\(text)\"" }
        return line
    }
}
