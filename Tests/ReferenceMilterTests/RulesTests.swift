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

    /// A file saved with a byte order mark: its first field read as `\u{FEFF}subject`, "unknown field".
    @Test func aLeadingByteOrderMarkIsSkipped() throws {
        let rules = try RuleParser.parse("\u{FEFF}subject contains \"x\" => reject\r\nalways => accept\r\n")
        #expect(rules.count == 2)
        #expect(rules.first?.conditions.first?.field == .subject, "\(rules)")
        do {
            _ = try RuleParser.parse("\u{FEFF}subjet contains \"x\" => reject")
            Issue.record("parsed")
        } catch {
            #expect("\(error)" == "line 1, column 1: unknown field 'subjet'")
        }
        // Only at the start of the file.
        #expect(throws: RuleParseError.self) { try RuleParser.parse("always => accept\n\u{FEFF}always => accept") }
    }

    @Test func badRegexIsRefusedAtLoad() {
        #expect(throws: (any Error).self) { try RulesClassifier(text: "subject matches \"(\" => reject") }
    }

    /// Only \", \\, \n and \t are escapes in a quoted string: a regex keeps its backslashes. They were
    /// dropped (`"^\[SPAM\]"` became the character class `[SPAM]`, `"\d{6}"` matched six d's).
    @Test func aRegexKeepsItsBackslashes() async throws {
        let text = #"""
            subject matches "^\[SPAM\]" => reject "550 5.7.1 spam tag"
            subject matches "\d{6}" => reject "550 5.7.1 six digits"
            subject contains "say \"hi\" \\o/" => discard
            always => accept
            """#
        let rules = try RulesClassifier(text: text)
        for (subject, rejected) in [
            ("[SPAM] buy", true), ("code 123456", true), ("Meeting tomorrow", false), ("Sales report", false),
            ("dddddd", false),
        ] {
            let verdict = await rules.classify(mail(subject: subject)).verdict
            if case .reject = verdict { #expect(rejected, "\(subject)") } else { #expect(!rejected, "\(subject)") }
        }
        #expect(await rules.classify(mail(subject: #"they say "hi" \o/"#)).verdict == .discard)
    }

    /// A rules file written with CRLF line ends is one rule per line, as with LF.
    @Test func crlfLineEndsSeparateRules() async throws {
        let rules = try RulesClassifier(
            text: "subject contains \"a\" => reject\r\n# note\r\n\r\nalways => add-header \"X-B\" \"1\", accept\r\n")
        #expect(rules.rules.count == 2)
        #expect(await rules.classify(mail(subject: "b")).modifications == [.addHeader(name: "X-B", value: "1")])
    }

    /// Values that would make a broken message or envelope at the MTA are refused when the file is read:
    /// a header value's line break must be a fold; addresses, arguments and a quarantine reason are one line.
    @Test(arguments: [
        #"always => add-header "X-A" "line1\nline2", accept"#, #"always => change-header "X-A" "a\n", accept"#,
        #"always => change-sender "<a@b>\n", accept"#, #"always => add-recipient "<a@b>" "X=1\nY", accept"#,
        #"always => quarantine "two\nlines""#, #"always => add-header "X-A" "x\n ", accept"#,
        #"always => insert-header 1 "X-A" "x\n \n\t", accept"#, #"always => change-header "X-A" "x\n\t", accept"#,
    ])
    func lineBreaksThatBreakTheMessageAreRefused(text: String) {
        #expect(throws: RuleParseError.self) { try RuleParser.parse(text) }
    }

    /// An address must be one envelope address, as milter-replay's `--rcpt` checks it: no white space outside quotes,
    /// no display name, no stray angle bracket; only the sender may be empty. The error does not repeat it.
    @Test(arguments: [
        #"always => add-recipient "<a b@c>", accept"#, #"always => add-recipient "a b@c", accept"#,
        #"always => delete-recipient "Bob <b@c>", accept"#, #"always => change-sender "<a@b", accept"#,
        #"always => add-recipient "<>", accept"#, #"always => delete-recipient "", accept"#,
    ])
    func anAddressThatIsNotOneEnvelopeAddressIsRefused(text: String) {
        let error = #expect(throws: RuleParseError.self) { try RuleParser.parse(text) }
        #expect(error?.description.contains("not one envelope address") == true, "\(String(describing: error))")
        #expect(error?.description.contains("b@c") == false)
    }

    @Test func envelopeAddressesThatAreOneAddressAreFine() throws {
        let rules = try RuleParser.parse(
            #"always => add-recipient "<a@b>", add-recipient "\"a b\"@c", delete-recipient "d@e", change-sender "<>", accept"#
        )
        #expect(
            rules.first?.modifications == [
                .addRecipient("<a@b>", arguments: nil), .addRecipient("\"a b\"@c", arguments: nil),
                .deleteRecipient("d@e"), .changeSender("<>", arguments: nil),
            ])
    }

    @Test func foldedHeaderValuesAndTabsAreFine() throws {
        let rules = try RuleParser.parse(
            #"always => add-header "X-A" "line1\n\tline2", add-header "X-T" "a\tb", add-header "X-B" "a\n \n\tb", accept"#
        )
        #expect(
            rules.first?.modifications == [
                .addHeader(name: "X-A", value: "line1\n\tline2"), .addHeader(name: "X-T", value: "a\tb"),
                .addHeader(name: "X-B", value: "a\n \n\tb"),
            ])
    }

    /// The second word of a reply is an enhanced status code only if it looks like one (`5.7.1`).
    @Test func aReplyTextWithADotIsNotAnEnhancedCode() throws {
        let rules = try RuleParser.parse(#"always => reject "550 Mr. Smith is not welcome""#)
        #expect(rules.first?.verdict == .reject(try ReplyCode(code: 550, text: "Mr. Smith is not welcome")))
    }

    /// A From after more header fields than the parser's default limit (2,000) still counts: every
    /// field the MTA sent is kept. Padding the header let a sender slip past `from` rules.
    @Test func aFromPastThousandsOfPaddingFieldsStillCounts() async throws {
        let rules = try RulesClassifier(text: "from ends-with \"@bad.test\" => reject\nalways => accept\n")
        var info = mail(subject: "s")
        info.headerFields =
            (0..<2_500).map { .init(name: "X-Pad", value: " \($0)") }
            + [.init(name: "From", value: " Mallory <m@bad.test>")]
        guard case .reject = await rules.classify(info).verdict else {
            Issue.record("the From past 2,500 fields was not seen")
            return
        }
    }
}
