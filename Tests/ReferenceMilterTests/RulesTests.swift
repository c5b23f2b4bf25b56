import MilterProtocol
import Testing

@testable import ReferenceMilter

@Suite struct RulesTests {
    func mail(subject: String, sender: String = "a@example.com", recipients: [String] = ["b@example.org"]) -> MailInfo {
        var info = MailInfo(
            sender: EnvelopeEntry(rawAddress: "<\(sender)>"),
            recipients: recipients.map { EnvelopeEntry(rawAddress: "<\($0)>") })
        info.headerFields = [.init(name: "Subject", value: " " + subject), .init(name: "X-Spam-Flag", value: " YES")]
        return info
    }

    @Test func defaultRulesParseAndAskOnlyForTheirActions() {
        let rules = RulesClassifier.default
        #expect(rules.rules.count == 5)
        #expect(rules.needs.actions == [.addHeaders, .quarantine])
    }

    @Test(arguments: [
        ("hi", Verdict.accept, 1),
        ("[reject] x", .reject(try! ReplyCode(code: 550, enhancedCode: "5.7.1", text: "rejected by subject rule")), 0),
        ("[discard]", .discard, 0), ("[quarantine]", .quarantine("subject rule"), 0),
    ])
    func defaultRulesDecide(subject: String, verdict: Verdict, modifications: Int) async {
        let decision = await RulesClassifier.default.classify(mail(subject: subject))
        #expect(decision.verdict == verdict)
        #expect(decision.modifications.count == modifications)
    }

    @Test func conditionsCombineAndNegate() async throws {
        let rules = try RulesClassifier(
            text: """
                header "X-Spam-Flag" is "yes" and not sender ends-with "@example.com" => quarantine "spam"
                recipient matches "^b@" => add-header "X-B" "1", change-sender "<c@example.net>" "BODY=8BITMIME"
                sender starts-with "a@" => reason "friend", reject "550 5.7.0 no friends"
                """)
        let friend = await rules.classify(mail(subject: "s"))
        #expect(friend.reason == "friend")
        #expect(friend.verdict == .reject(try ReplyCode(code: 550, enhancedCode: "5.7.0", text: "no friends")))
        #expect(
            friend.modifications == [
                .addHeader(name: "X-B", value: "1"), .changeSender("<c@example.net>", arguments: "BODY=8BITMIME"),
            ])
        let stranger = await rules.classify(mail(subject: "s", sender: "z@example.net"))
        #expect(stranger.verdict == .quarantine("spam"))
        #expect(rules.needs.actions == [.addHeaders, .changeSender, .quarantine])
    }

    @Test(arguments: [
        ("subject contains", 1), ("subject frobs \"x\" => accept", 1), ("always => explode", 1),
        ("# fine\nalways => reject \"999 x\"", 2), ("always => accept, discard", 1), ("subject is \"x", 1),
    ])
    func errorsNameTheLine(text: String, line: Int) {
        #expect(throws: RuleParseError.self) { try RulesClassifier(text: text) }
        do { _ = try RuleParser.parse(text) } catch { #expect(error.line == line) }
    }

    @Test(arguments: [
        ("subject frobs \"x\" => accept", 9), ("always => explode", 11), ("subject is \"x", 12),
        ("always foo => accept", 8), ("always => accept discard", 18),
    ])
    func errorsNameTheColumn(text: String, column: Int) {
        do {
            _ = try RuleParser.parse(text)
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.column == column, "\(error)")
            #expect("\(error)".hasPrefix("line 1, column \(column): "))
        }
    }

    @Test func badRegexIsRefusedAtLoad() {
        #expect(throws: (any Error).self) { try RulesClassifier(text: "subject matches \"(\" => reject") }
    }
}
