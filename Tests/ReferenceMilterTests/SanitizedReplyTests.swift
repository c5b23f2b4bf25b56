import MilterProtocol
import Testing

@testable import ReferenceMilter

/// `ReplyCode.sanitized` keeps the classifier's text, with CR, LF and NUL as spaces, whichever way
/// the line breaks come ("\r\n" is a single Swift `Character`).
@Suite struct SanitizedReplyTests {
    @Test(arguments: [
        ("Bad subject x\r\nX-Injected: yes", "Bad subject x  X-Injected: yes"),
        ("a\rb", "a b"), ("a\nb", "a b"), ("a\0b", "a b"), ("end\r\n", "end  "),
    ])
    func lineBreaksAndNULBecomeSpaces(text: String, expected: String) {
        let reject = ReplyCode.sanitized(code: 550, enhancedCode: "5.7.1", text: text)
        #expect(reject.text.string == "550 5.7.1 \(expected)")
        let tempfail = ReplyCode.sanitized(code: 451, enhancedCode: "4.7.1", text: text)
        #expect(tempfail.text.string == "451 4.7.1 \(expected)")
    }

    @Test func decisionsKeepTheClientText() {
        let decision = Decision.reject("rule", client: "Bad subject x\r\ny")
        #expect(decision.verdict.clientText == "550 5.7.1 Bad subject x  y")
        let later = Decision.tempfail("rule", client: "busy\r\nnow")
        #expect(later.verdict.clientText == "451 4.7.1 busy  now")
    }

    /// A decision's code stays in its verdict's class: the MTA acts on the code, so a REJECT sent as 451 was
    /// retried, and a TEMPFAIL sent as 550 refused for good, while the log said otherwise. An enhanced code of the
    /// other class is dropped with it.
    @Test func aDecisionsCodeStaysInItsVerdictsClass() {
        #expect(Decision.reject("r", client: "no", code: 451).verdict.clientText == "550 5.7.1 no")
        #expect(Decision.reject("r", client: "no", code: 451, enhancedCode: "4.7.1").verdict.clientText == "550 no")
        #expect(Decision.reject("r", client: "no", code: 554).verdict.clientText == "554 5.7.1 no")
        #expect(Decision.tempfail("r", client: "later", code: 550).verdict.clientText == "451 4.7.1 later")
        #expect(Decision.tempfail("r", client: "later", code: 421).verdict.clientText == "421 4.7.1 later")
        #expect(ReplyCode.sanitized(code: 200, enhancedCode: nil, text: "x").text.string == "550 x")
    }
}
