/// What must happen at a step (`expect:`). Every field is optional; a step with none still fails
/// when the milter breaks a protocol rule there, unless ``finding`` says which is expected.
package struct StepExpectation: Sendable {
    /// The verdict: the step's reply, or the transaction's for `eom`, `abort` and `message`.
    package var verdict: ExpectedVerdict?
    /// For `eom`, `abort` and `message`: the step where the transaction's verdict came.
    package var verdictStep: VerdictStep?
    /// The SMTP reply the MTA gives.
    package var reply: ReplyExpectation?
    /// Modifications that must each have come (at end of message), in any order.
    package var modifications: [ModificationExpectation] = []
    /// Whether modifications other than those listed fail the step (`no-other-modifications: true`).
    package var noOtherModifications = false
    /// The quarantine reason.
    package var quarantine: TextMatch?
    /// The message as the MTA would queue it.
    package var result: ResultExpectation?
    /// The protocol finding expected here: `none` (the default), `any`, or a finding code.
    package var finding: FindingExpectation?
    /// For `raw`: the milter must close the connection without answering.
    package var closes: Bool?
    /// Where `expect:` is.
    package var location: ScenarioLocation

    package init(location: ScenarioLocation) { self.location = location }
}

/// A verdict as a scenario names it.
package enum ExpectedVerdict: String, Hashable, Sendable, CaseIterable {
    /// The milter lets the step go on (CONTINUE, or PROGRESS then CONTINUE).
    case `continue`
    /// ACCEPT: the rest of the message (or connection) is accepted without the milter.
    case accept
    /// REJECT, or a 5xx REPLYCODE.
    case reject
    /// TEMPFAIL, or a 4xx REPLYCODE, or SHUTDOWN.
    case tempfail
    /// DISCARD.
    case discard
    /// SKIP: no more body chunks.
    case skip
    /// Accepted and held (transaction verdict only).
    case quarantine
    /// No reply: the event went without one (an NR flag, ABORT), was switched off, or was not sent.
    case none
}

/// The step where a transaction's verdict came (`at:`).
package enum VerdictStep: String, Hashable, Sendable, CaseIterable {
    case connect, helo, mail, rcpt, data, header, eoh, body, eom
}

/// Which protocol finding a step expects.
package enum FindingExpectation: Hashable, Sendable {
    /// The milter breaks no rule here (the default).
    case none
    /// Some finding, whichever.
    case any
    /// A finding with this code: `timeout`, `eof`, `ioError`, or a protocol error code such as `unsolicitedReply`.
    case code(String)
}

/// The SMTP reply (`reply:`): each part given must match.
package struct ReplyExpectation: Hashable, Sendable {
    /// The three-digit code.
    package var code: Int?
    /// The enhanced status code, such as `5.7.1`.
    package var enhancedCode: String?
    /// The text after the codes.
    package var text: TextMatch?

    package init(code: Int? = nil, enhancedCode: String? = nil, text: TextMatch? = nil) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.text = text
    }
}

/// How a text is matched: a plain string is exact; `{matches: REGEX}` or `{contains: TEXT}`.
package enum TextMatch: Hashable, Sendable, CustomStringConvertible {
    /// The whole text.
    case exact(String)
    /// A regular expression found anywhere in the text (anchor it with `^…$` for the whole).
    case matches(String)
    /// A substring.
    case contains(String)

    /// Whether `text` matches.
    package func matches(_ text: String) -> Bool {
        switch self {
        case .exact(let wanted): return text == wanted
        case .contains(let wanted): return text.contains(wanted)
        case .matches(let pattern):
            guard let regex = try? Regex(pattern) else { return false }
            return (try? regex.firstMatch(in: text)) != nil
        }
    }

    /// The expectation in words: `'yes'`, `matching /^y/`, `containing 'y'`.
    package var description: String {
        switch self {
        case .exact(let text): "'\(text)'"
        case .matches(let pattern): "matching /\(pattern)/"
        case .contains(let text): "containing '\(text)'"
        }
    }
}
