import MilterProtocol
import Testing

@testable import ReferenceMilter

/// Rules without DNSBL lookups and regular expressions decide on the event loop
/// (`decideAtOnce`), with the decision `classify` makes; the others go to the classification threads.
@Suite struct RulesAtOnceTests {
    static let rulesText = """
        subject contains "[reject]" => reject "550 5.7.1 no"
        header "X-Spam-Flag" is "YES" and not sender ends-with "@example.com" => quarantine "spam"
        subject starts-with "Ça" => add-header "X-Cedilla" "1"
        recipient contains "VIP" => add-header "X-VIP" "1", accept
        not subject contains "café" => add-header "X-No-Cafe" "1"
        """

    func mail(subject: String, sender: String = "a@example.com", recipients: [String] = ["b@example.org"]) -> MailInfo {
        RulesTests().mail(subject: subject, sender: sender, recipients: recipients)
    }

    @Test(arguments: [
        ("hello", "a@example.com", ["b@example.org"]), ("Re: [REJECT] now", "a@example.com", ["b@example.org"]),
        ("hello", "z@example.net", ["b@example.org"]), ("Ça va", "a@example.com", ["vip@example.org"]),
        ("un cafe\u{301}", "a@example.com", ["b@example.org"]), ("un café", "a@example.com", ["b@example.org"]),
        ("", "a@example.com", []),
    ])
    func decisionsAtOnceAreTheClassifiersDecisions(subject: String, sender: String, recipients: [String]) async throws {
        let rules = try RulesClassifier(text: Self.rulesText)
        let message = mail(subject: subject, sender: sender, recipients: recipients)
        let atOnce = try #require(rules.decideAtOnce(message))
        let classified = await rules.classify(message)
        #expect(atOnce.verdict == classified.verdict)
        #expect(atOnce.modifications == classified.modifications)
        #expect(atOnce.reason == classified.reason)
    }

    @Test func theBuiltInRulesDecideAtOnceAndTagEveryAcceptedMessage() throws {
        let decision = try #require(RulesClassifier.default.decideAtOnce(mail(subject: "hi")))
        #expect(decision.verdict == .accept)
        #expect(decision.modifications == [.addHeader(name: "X-Reference-Milter", value: "checked")])
        let reloadable = ReloadableClassifier(RulesClassifier.default)
        #expect(reloadable.decideAtOnce(mail(subject: "[discard] x"))?.verdict == .discard)
    }

    /// A regular expression can backtrack for long, a DNSBL condition waits for DNS: both leave the event loop.
    @Test(arguments: [
        "subject matches \"^a+$\" => reject \"550 5.7.1 no\"",
        "subject contains \"x\" and dnsbl zen.example => reject \"550 5.7.1 listed\"",
    ])
    func rulesThatCanTakeLongDoNotDecideAtOnce(text: String) throws {
        let resolver = DNSBLTests.FakeResolver()
        let rules = try RulesClassifier(text: text, resolver: resolver)
        #expect(rules.decideAtOnce(mail(subject: "aaa")) == nil)
        #expect(resolver.asked.withLockedValue { $0 }.isEmpty)
    }

    /// The byte search answers as `String.contains`, which compares characters.
    @Test(arguments: [
        ("hello world", "o w"), ("hello", "hello!"), ("", "a"), ("a\r\nb", "b"), ("a\r\nb", "a"),
        ("cafe\u{301}", "cafe"), ("cafe\u{301}", "e"), ("naïve", "ive"), ("x", "x"), ("abcabd", "abd"),
        // The first byte found at the last place the pattern fits, or only past it.
        ("aaab", "ab"), ("abab", "bab"), ("x [rejec", "[reject]"), ("[reject] x", "[reject]"), ("ba", "ab"),
    ])
    func theByteSearchAgreesWithStringContains(value: String, pattern: String) {
        let ascii = pattern.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D && $0 != 0x0A }
        #expect(ConditionMatcher.contains(value, pattern, asciiPattern: ascii) == value.contains(pattern))
    }
}
