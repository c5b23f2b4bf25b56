import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// Every kind of expectation passes on a milter that does what it says, and fails, with words that say what was
/// expected and what came, on one that does not.
struct ScenarioExpectationTests {
    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let yaml: String
        let good: ScriptedMilter.Script
        let bad: ScriptedMilter.Script
        /// Words the failure of the bad milter must contain.
        let failure: [String]
    }

    static func header(_ name: MilterString, _ value: MilterString) -> HeaderField {
        HeaderField(name: name, value: value)
    }
    static func indexed(_ index: UInt32, _ name: MilterString, _ value: MilterString) -> IndexedHeaderField {
        IndexedHeaderField(index: index, field: HeaderField(name: name, value: value))
    }
    static let plain = ScenarioHarness.endOfMessage([.accept])
    static func message(_ expect: String) -> String { ScenarioHarness.message(expect: expect) }

    static let modificationCases: [Case] = [
        Case(
            description: "add-header", yaml: message("{modifications: [{add-header: {name: X-Spam, value: 'yes'}}]}"),
            good: ScenarioHarness.endOfMessage([.addHeader(header("X-Spam", "yes")), .accept]),
            bad: ScenarioHarness.endOfMessage([.addHeader(header("X-Spam", "no")), .accept]),
            failure: ["add-header X-Spam", "expected ADDHEADER X-Spam 'yes'", "got ADDHEADER X-Spam 'xx'"]),
        Case(
            description: "insert-header at an index",
            yaml: message("{modifications: [{insert-header: {index: 0, name: X-Top, value: {matches: '^v[0-9]+$'}}}]}"),
            good: ScenarioHarness.endOfMessage([.insertHeader(indexed(0, "X-Top", "v12")), .accept]),
            bad: ScenarioHarness.endOfMessage([.insertHeader(indexed(3, "X-Top", "v12")), .accept]),
            failure: ["expected INSHEADER[0] X-Top matching /^v[0-9]+$/", "got INSHEADER[3] X-Top 'x99'"]),
        Case(
            description: "change-header",
            yaml: message("{modifications: [{change-header: {name: Subject, index: 1, value: '[SPAM] hi'}}]}"),
            good: ScenarioHarness.endOfMessage([.changeHeader(indexed(1, "subject", "[SPAM] hi")), .accept]),
            bad: ScenarioHarness.endOfMessage([.accept]),
            failure: ["expected CHGHEADER Subject[1] '[SPAM] hi'", "got no modification"]),
        Case(
            description: "delete-header", yaml: message("{modifications: [{delete-header: {name: X-Internal}}]}"),
            good: ScenarioHarness.endOfMessage([.changeHeader(indexed(1, "X-Internal", "")), .accept]),
            bad: ScenarioHarness.endOfMessage([.changeHeader(indexed(1, "X-Internal", "kept")), .accept]),
            failure: ["expected CHGHEADER (delete) X-Internal", "got CHGHEADER X-Internal[1] 'xxxx'"]),
        Case(
            description: "add-recipient with arguments",
            yaml: message(
                "{modifications: [{add-recipient: {address: archive@example.org, args: {contains: NOTIFY=NEVER}}}]}"),
            good: ScenarioHarness.endOfMessage([
                .addRecipientWithArguments(EnvelopeChange(address: "<archive@example.org>", arguments: "NOTIFY=NEVER")),
                .accept,
            ]),
            bad: ScenarioHarness.endOfMessage([.addRecipient("<archive@example.org>"), .accept]),
            failure: [
                "expected ADDRCPT 'archive@example.org' with arguments containing 'NOTIFY=NEVER'",
                "got ADDRCPT '<xxxxxxx@xxxxxxx.xxx>'",
            ]),
        Case(
            description: "delete-recipient", yaml: message("{modifications: [{delete-recipient: c@example.org}]}"),
            good: ScenarioHarness.endOfMessage([.deleteRecipient("<c@example.org>"), .accept]),
            bad: ScenarioHarness.endOfMessage([.deleteRecipient("<b@example.org>"), .accept]),
            failure: ["expected DELRCPT 'c@example.org'", "got DELRCPT '<x@xxxxxxx.xxx>'"]),
        Case(
            description: "change-sender", yaml: message("{modifications: [{change-sender: bounces@example.org}]}"),
            good: ScenarioHarness.endOfMessage([.changeSender(EnvelopeChange(address: "bounces@example.org")), .accept]
            ),
            bad: ScenarioHarness.endOfMessage([.accept]),
            failure: ["expected CHGFROM 'bounces@example.org'", "got no modification"]),
        Case(
            description: "replace-body", yaml: message("{modifications: [{replace-body: {contains: disclaimer}}]}"),
            good: ScenarioHarness.endOfMessage([.replaceBody(.init(string: "text\r\n-- disclaimer\r\n")), .accept]),
            bad: ScenarioHarness.endOfMessage([.replaceBody(.init(string: "text only\r\n")), .accept]),
            failure: ["expected REPLBODY containing 'disclaimer'", "got 'xxxx xxxx..'"]),
        Case(
            description: "no-other-modifications",
            yaml: message("{modifications: [{add-header: {name: X-A}}], no-other-modifications: true}"),
            good: ScenarioHarness.endOfMessage([.addHeader(header("X-A", "1")), .accept]),
            bad: ScenarioHarness.endOfMessage([.addHeader(header("X-A", "1")), .addHeader(header("X-B", "2")), .accept]
            ),
            failure: ["no other modifications", "unexpected: ADDHEADER X-B '9'"]),
    ]

    @Test(arguments: modificationCases)
    func modifications(_ example: Case) async throws { try await check(example) }

    func check(_ example: Case) async throws {
        let passing = try await ScenarioHarness.run(example.yaml, against: example.good)
        #expect(passing.status == .passed, "\(passing.checks)")
        // A scenario without `expect` checks only that no rule is broken, which adds no passed check.
        if example.yaml.contains("expect") { #expect(!passing.checks.isEmpty) }
        let failing = try await ScenarioHarness.run(example.yaml, against: example.bad)
        #expect(failing.status == .failed)
        let text = failing.failures.map(\.description).joined(separator: "\n")
        #expect(text.hasPrefix("case.yaml:"), "\(text)")
        for word in example.failure { #expect(text.contains(word), "\(text)") }
    }
}
