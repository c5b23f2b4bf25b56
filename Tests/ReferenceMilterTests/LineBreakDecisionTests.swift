import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@testable import ReferenceMilter

/// Carries the decoded Subject on into header edits and a quarantine reason, as a classifier that
/// tags messages would; a Subject that decodes to CR or LF would inject a header field.
struct SubjectEchoClassifier: MailClassifier {
    var needs: ClassifierNeeds { ClassifierNeeds(actions: [.addHeaders, .changeHeaders, .quarantine]) }

    func classify(_ mail: MailInfo) -> Decision {
        let subject = mail.subject
        if subject.hasPrefix("change") {
            return .accept("tag").adding(.changeHeader(name: "Subject", occurrence: 1, value: "[checked] " + subject))
        }
        if subject.hasPrefix("add") { return .accept("tag").adding(.addHeader(name: "X-Echo", value: subject)) }
        if subject.hasPrefix("insert") {
            return .accept("tag").adding(.insertHeader(index: 0, name: "X-Echo", value: subject))
        }
        if subject.hasPrefix("hold") { return .quarantine(subject) }
        if subject.hasPrefix("fold") {
            return .accept("fold").adding(.addHeader(name: "X-Fold", value: "line1\r\n\tline2"))
        }
        return .accept("fine")
    }
}

/// A header value that breaks its line other than as a fold, or a quarantine reason with a line
/// break, gets the failure verdict instead of a header field of the sender's choosing.
@Suite struct LineBreakDecisionTests {
    @Test func aHeaderValueWithALineBreakThatIsNotAFoldGetsTheFailureVerdict() throws {
        let injected = "[checked] x\r\nX-Injected: yes\r\n"
        let decisions: [Decision] = [
            .accept("tag").adding(.changeHeader(name: "Subject", occurrence: 1, value: injected)),
            .accept("tag").adding(.addHeader(name: "X-A", value: "x\nX-Injected: yes")),
            .accept("tag").adding(.insertHeader(index: 0, name: "X-A", value: "x\r")),
            .accept("tag").adding(.addHeader(name: "X-A", value: "x\r\n")),
            .quarantine("held\r\nX-Injected: 1"),
        ]
        for decision in decisions {
            var driver = SessionDriver(needs: ClassifierNeeds(actions: [.addHeaders, .changeHeaders, .quarantine]))
            driver.decision = decision
            try driver.feed([Cmd.offer, Cmd.connect, Cmd.helo] + Cmd.message(subject: "x"))
            #expect(driver.replies.last?.id == .replyCode, "\(decision)")
            #expect(driver.replies.dropFirst().allSatisfy { !$0.id.isModification && $0.id != .quarantine })
        }
    }

    @Test func aFoldIsSentWithABareLF() throws {
        var driver = SessionDriver(needs: ClassifierNeeds(actions: [.addHeaders]))
        driver.decision = .accept("fold").adding(.addHeader(name: "X-Fold", value: "line1\r\n\tline2"))
        try driver.feed([Cmd.offer, Cmd.connect, Cmd.helo] + Cmd.message(subject: "x"))
        #expect(
            Array(driver.replies.dropFirst()) == [
                .addHeader(HeaderField(name: "X-Fold", value: " line1\n\tline2")), .accept,
            ])
    }

    @Test(.tags(.integration)) func anEncodedSubjectWithCRLFIsNotInjectedThroughTheServer() async throws {
        let logged = try await LoggedMilter.start(SubjectEchoClassifier())
        let milter = logged.milter
        let connection = try await openClient(milter)
        await connection.connect()
        await connection.helo()
        for word in ["change", "add", "insert", "hold"] {
            let subject = "=?UTF-8?Q?\(word)_x=0D=0AX-Injected:_yes=0D=0A?="
            let result = await connection.send(TestMail.message(subject: subject))
            #expect(result.verdict == .tempfail, "\(word)")
            #expect(result.modifications.isEmpty && result.quarantineReason == nil, "\(word)")
            #expect(await TestMail.findings(result, connection).isEmpty, "\(word)")
            let queued = result.resultingMessage?.headerFields ?? []
            #expect(!queued.contains { $0.name.lowercased() == "x-injected" }, "\(word)")
        }
        let folded = await connection.send(TestMail.message(subject: "fold"))
        #expect(folded.verdict == .accept)
        #expect(await TestMail.findings(folded, connection).isEmpty)
        let field = folded.resultingMessage?.headerFields.last
        #expect(
            field?.name == "X-Fold" && field?.trimmedValue.contains("line2") == true, "\(String(describing: field))")
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()

        let log = logged.log
        let decisions = log.split(separator: "\n").filter { $0.contains("cannot be sent: lineBreakNotFold") }
        #expect(decisions.count == 4, "\(log)")
        #expect(!log.contains("Injected"), "personal data in the log: \(log)")
    }
}
