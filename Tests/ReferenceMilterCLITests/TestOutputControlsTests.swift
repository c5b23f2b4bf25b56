import MilterClient
import ReferenceMilterCLI
import Testing
import _MilterCommandLine

/// `test` prints what comes from the message (a reason echoing the subject, a header field added, the file's
/// name) with its control characters escaped, as `dump` and the daemon's log do: an escape sequence in a
/// subject used to reach the terminal raw, and a CR LF in a reason forged a line of output.
@Suite struct TestOutputControlsTests {
    static let subject = "\u{1B}[31mred\u{1B}[0m \u{9B}2J"

    @Test func theReasonAndAddedFieldsAreEscaped() async throws {
        let run = try await TestRunTests.run(TestRunTests.message(subject: Self.subject), EchoingSubject())
        let text = run.text()
        #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{9B}" || $0 == "\r" }, "\(text)")
        #expect(text.unicodeScalars.filter { $0 == "\n" }.count == 1, "\(text)")
        #expect(text.hasPrefix(#"4TESTQUEUEID: ACCEPT (echo \x1B[31mred\x1B[0m \u{9B}2J\r\n4TESTQUEUEID: REJECT (x))"#))
        #expect(text.contains(#"X-Echo: \x1B[31mred\x1B[0m \u{9B}2J"#), "\(text)")
        // JSON escapes them its own way.
        #expect(!(try run.json()).unicodeScalars.contains { $0 == "\u{1B}" })
    }

    @Test func aFileNameInAnErrorIsEscaped() {
        #expect {
            _ = try MessageFile.read("/nonexistent/x\u{1B}[31mred.eml")
        } throws: { error in
            let text = "\(error)"
            return !text.contains("\u{1B}") && text.hasPrefix(#"/nonexistent/x\x1B[31mred.eml: cannot read: "#)
        }
    }
}

/// Echoes the subject in its reason (with a forged second line) and in a header field it adds.
struct EchoingSubject: MailClassifier {
    var needs: ClassifierNeeds { ClassifierNeeds(actions: [.addHeaders]) }

    func classify(_ mail: MailInfo) -> Decision {
        Decision.accept("echo \(mail.subject)\r\n4TESTQUEUEID: REJECT (x)")
            .adding(.addHeader(name: "X-Echo", value: mail.subject))
    }
}
