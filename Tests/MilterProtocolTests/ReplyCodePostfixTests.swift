import MilterProtocol
import NIOCore
import Testing

/// Postfix 3.7 checks a REPLYCODE only at its start (`milter8_event`, the SMFIR_REPLYCODE case: the first byte
/// `4` or `5`, two digits, a space or hyphen, and a digit after it equal to the first), where libmilter's rules,
/// which ``ReplyCode/problems(in:)`` follows, check every line.
@Suite struct ReplyCodePostfixTests {
    /// Texts Postfix 3.7 takes that the line-by-line check refuses.
    @Test(arguments: [
        "550 5.7.1 100% sure",  // a single % (Postfix drops it)
        "550-5.7.1 only line",  // a continuation marker on the last line
        "550 5.7.1 a\r\n",  // a trailing line break
        "550 5.7.1 a\nb",  // a bare LF
        "550-5.7.1 a\r\n451 4.7.1 b",  // another code on line 2
        "550 5.7.1 a\r\nnonsense",  // a malformed line 2
        "550 5.7.1 " + String(repeating: "x", count: 981),  // over 980 bytes
        "550 5.7.1 a\0b",  // a NUL: the C string ends there
    ])
    func postfixTakesWhatTheLineCheckRefuses(_ text: String) throws {
        let string = MilterString(bytes: Array(text.utf8))
        #expect(ReplyCode.postfixProblems(in: string).isEmpty)
        try ReplyCode.postfixCheck(string)
        #expect(!ReplyCode.problems(in: string).isEmpty)
    }

    @Test func postfixTakesThirtyThreeLines() {
        let lines = (1...33).map { "550-5.7.1 line \($0)" } + ["550 5.7.1 last"]
        let text = MilterString(lines.joined(separator: "\r\n"))
        #expect(ReplyCode.postfixProblems(in: text).isEmpty)
        #expect(ReplyCode.problems(in: text) == [.tooManyLines])
    }

    /// Texts Postfix 3.7 refuses that the line-by-line check takes: a digit after the code that is no enhanced
    /// code.
    @Test(arguments: ["550 4 items left", "450 5 minutes", "550-3 a\r\n550 b"])
    func postfixRefusesADigitOfAnotherClass(_ text: String) {
        let string = MilterString(text)
        #expect(ReplyCode.problems(in: string).isEmpty)
        #expect(ReplyCode.postfixProblems(in: string) == [.textClassMismatch(line: 1)])
        let error = capturedError { try ReplyCode.postfixCheck(string) }
        #expect(error?.code == .invalidReplyCode)
        #expect(error?.detail == "line 1 has text starting with a digit of another class")
    }

    /// What both refuse, named alike.
    @Test(
        arguments: [
            ("", [.empty]),
            ("550", [.malformedLine(line: 1)]),
            ("55 x", [.malformedLine(line: 1)]),
            ("abc def", [.malformedLine(line: 1)]),
            ("550x5.7.1 no", [.malformedLine(line: 1)]),
            ("250 2.0.0 ok", [.codeNotFailure(line: 1)]),
            ("550 4.7.1 no", [.textClassMismatch(line: 1)]),
            ("\0 550 5.7.1", [.empty]),
            ("550\0 5.7.1", [.malformedLine(line: 1)]),
        ] as [(String, [ReplyCode.Problem])])
    func bothRefuse(_ text: String, _ problems: [ReplyCode.Problem]) {
        let string = MilterString(bytes: Array(text.utf8))
        #expect(ReplyCode.postfixProblems(in: string) == problems)
        #expect(!ReplyCode.problems(in: string).isEmpty)
        #expect(capturedError { try ReplyCode.postfixCheck(string) }?.code == .invalidReplyCode)
    }

    /// The session takes the rules' check: Postfix's start-only one, which fails the milter on a bad
    /// start; Sendmail's `MILTER_CHECK_REPLYCODE`, which never fails it (a text it cannot use is
    /// replaced by its own refusal), with a warning for a text that breaks the line-by-line check.
    @Test func theSessionChecksAsItsMTADoes() throws {
        // The second is well formed line by line, and Sendmail takes it: no warning.
        for (text, postfixTakes, sendmailWarns) in [
            ("550-5.7.1 only line", true, true), ("550 4 items left", false, false),
        ] {
            let reply = MilterReply.replyCode(MilterString(text))
            var postfix = try MTADriver(rules: .postfix, answer: Fixtures.answerAll)
            try postfix.step(.connect(Fixtures.connect))
            try postfix.send(.mail(EnvelopeAddress(address: "<a@example.org>")))
            if postfixTakes {
                #expect(try postfix.receive(reply) == .final(reply), "\(text)")
            } else {
                expectViolation(.invalidReplyCode) { _ = try postfix.receive(reply) }
            }
            var sendmail = try MTADriver(rules: .sendmail, answer: Fixtures.answerAll)
            try sendmail.step(.connect(Fixtures.connect))
            try sendmail.send(.mail(EnvelopeAddress(address: "<a@example.org>")))
            #expect(try sendmail.receive(reply) == .final(reply), "\(text)")
            #expect(sendmail.session.lastReplyWarning?.code == (sendmailWarns ? .invalidReplyCode : nil), "\(text)")
        }
    }
}
