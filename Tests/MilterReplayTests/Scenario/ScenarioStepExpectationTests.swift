import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// Verdicts and where they came, replies, quarantine, the resulting message, findings, raw frames and the
/// negotiation: each passes on a milter that does it and fails, in clear words, on one that does not.
@Suite(.timingSensitive) struct ScenarioStepExpectationTests {
    typealias Case = ScenarioExpectationTests.Case
    static func message(_ expect: String) -> String { ScenarioHarness.message(expect: expect) }
    static func endOfMessage(_ replies: [MilterReply]) -> ScriptedMilter.Script {
        ScenarioHarness.endOfMessage(replies)
    }

    /// A well-behaved milter that answers `command` with `replies` instead.
    static func answering(_ command: MilterCommand.ID, _ actions: [ScriptedMilter.Action]) -> ScriptedMilter.Script {
        Scripts.wellBehaved { $0.id == command ? actions : nil }
    }

    static let rcptScenario = """
        steps:
          - connect
          - helo: client.example
          - mail: {address: a@example.org, args: [SIZE=100]}
          - rcpt: nobody@example.org
            expect:
              verdict: reject
              reply: {code: 550, enhanced: 5.1.1, text: no such user}
        """

    static let cases: [Case] = [
        Case(
            description: "verdict and reply at a step", yaml: rcptScenario,
            good: answering(.recipient, [.reply(.replyCode("550 5.1.1 no such user"))]),
            bad: answering(.recipient, [.reply(.replyCode("450 4.1.1 try later"))]),
            failure: [
                "case.yaml:5:5: rcpt: verdict: expected reject, got tempfail", "reply code: expected 550, got 450",
                "reply enhanced code: expected 5.1.1, got 4.1.1",
                "reply text: expected 'no such user', got 'xxx xxxxx'",
            ]),
        Case(
            description: "a reply where the step went on", yaml: rcptScenario,
            good: answering(.recipient, [.reply(.replyCode("550 5.1.1 no such user"))]), bad: Scripts.wellBehaved(),
            failure: ["verdict: expected reject, got continue", "expected an SMTP reply, got none"]),
        Case(
            description: "the step of the verdict", yaml: message("{verdict: tempfail, at: mail}"),
            good: answering(.mail, [.reply(.tempfail)]), bad: endOfMessage([.tempfail]),
            failure: ["at: expected the verdict at mail, got it at eom"]),
        Case(
            description: "reply text by pattern",
            yaml: message("{verdict: reject, reply: {code: 554, text: {matches: '^spam'}}}"),
            good: endOfMessage([.replyCode("554 5.7.1 spam detected")]),
            bad: endOfMessage([.replyCode("554 5.7.1 ham")]),
            failure: ["reply text: expected matching /^spam/, got 'xxx'"]),
        Case(
            description: "quarantine reason", yaml: message("{verdict: quarantine, quarantine: {contains: virus}}"),
            good: endOfMessage([.quarantine("virus found"), .accept]),
            bad: endOfMessage([.quarantine("odd"), .accept]),
            failure: ["quarantine: expected containing 'virus', got 'xxx'"]),
        Case(
            description: "the resulting message",
            yaml: message(
                """
                {result: {headers-present: [{name: X-Spam, value: 'yes'}], headers-absent: [Subject], \
                body: {contains: Hello}, sender: new@example.org, recipients-include: [d@example.org], \
                recipients-exclude: [c@example.org]}}
                """),
            good: endOfMessage([
                .addHeader(HeaderField(name: "X-Spam", value: "yes")),
                .changeHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "Subject", value: ""))),
                .changeSender(EnvelopeChange(address: "<new@example.org>")), .addRecipient("<d@example.org>"),
                .deleteRecipient("<c@example.org>"), .accept,
            ]),
            bad: endOfMessage([.replaceBody(.init(string: "bye\r\n")), .accept]),
            failure: [
                "header present X-Spam: no X-Spam field", "header absent Subject: present (1 field(s))",
                "body: expected containing 'Hello', got 5 bytes 'xxx..'", "sender: expected 'new@example.org', got",
                "recipient d@example.org: not among the recipients",
                "recipient c@example.org absent: still among the recipients",
            ]),
        Case(
            description: "no finding by default (a reply to ABORT)",
            yaml: """
                steps:
                  - connect
                  - helo
                  - mail: a@example.org
                  - rcpt: b@example.org
                  - abort
                  - listen: 10
                """,
            good: Scripts.wellBehaved(), bad: answering(.abort, [.reply(.continue)]),
            failure: [
                "case.yaml:7:5: listen: protocol: the milter broke a rule: replyToNoReplyCommand",
                "CONTINUE after ABORT",
            ]),
        Case(
            description: "an expected finding",
            yaml: "steps:\n  - connect\n  - helo:\n    expect: {finding: eof}\n",
            good: answering(.helo, [.close]), bad: Scripts.wellBehaved(),
            failure: ["finding eof: expected eof, got none"]),
        Case(
            description: "a reply later than the scenario's timeout",
            // The late reply never comes: the timeout, which also bounds OPTNEG's and CONNECT's replies and the bad
            // milter's HELO reply, can be far longer than a starved test makes them (0.3 s was not).
            yaml: "timeout: 10\nsteps:\n  - connect\n  - helo:\n    expect: {finding: timeout}\n",
            good: answering(.helo, [.waitFor(ScriptCounter(), reaching: 1)]), bad: Scripts.wellBehaved(),
            failure: ["case.yaml:4:5: helo: finding timeout: expected timeout, got none"]),
        Case(
            description: "a step Sendmail lets go on after a reply it has no case for",
            yaml: """
                mta: sendmail
                steps:
                  - connect
                  - helo
                  - mail: a@example.org
                    expect: {verdict: continue, finding: replyNotAllowedHere}
                """,
            good: answering(.mail, [.reply(.shutdown)]), bad: answering(.mail, [.reply(.tempfail)]),
            failure: ["mail: verdict: expected continue, got tempfail", "expected replyNotAllowedHere, got none"]),
        Case(
            description: "a SKIP at MAIL that Sendmail takes, with a warning",
            yaml: """
                mta: sendmail
                steps:
                  - connect
                  - helo
                  - mail: a@example.org
                    expect: {verdict: skip, finding: replyNotAllowedHere}
                """,
            good: answering(.mail, [.reply(.skip)]), bad: answering(.mail, [.reply(.tempfail)]),
            failure: ["mail: verdict: expected skip, got tempfail", "expected replyNotAllowedHere, got none"]),
        Case(
            description: "a verdict after Postfix's early QUARANTINE",
            yaml: """
                steps:
                  - connect
                  - helo
                  - mail: a@example.org
                    expect: {verdict: reject, finding: quarantineBeforeEndOfMessage}
                """,
            good: answering(.mail, [.reply(.quarantine("odd")), .reply(.reject)]),
            bad: answering(.mail, [.reply(.reject)]),
            failure: ["finding quarantineBeforeEndOfMessage: expected quarantineBeforeEndOfMessage, got none"]),
        Case(
            description: "the milter closes after raw bytes",
            yaml:
                "steps:\n  - connect\n  - raw: {command: H, payload-text: \"client.example\\0\"}\n    expect: {closes: true}\n",
            good: answering(.helo, [.close]), bad: Scripts.wellBehaved(),
            failure: ["closes: expected the milter to close without answering; the milter answered with CONTINUE"]),
        Case(
            description: "what the milter asks for in OPTNEG",
            yaml: """
                negotiate:
                  expect: {version: 6, actions-include: [ADDHDRS, CHGFROM], protocol-include: [NR_HDR], \
                symbol-lists: {connect: "j {daemon_name}"}}
                steps: [connect]
                """,
            good: Scripts.wellBehaved(
                answer: Scripts.answer(
                    flags: [.noReplyHeader],
                    symbolLists: [SymbolList(stage: .connect, names: ["j", "{daemon_name}"])])),
            bad: Scripts.wellBehaved(answer: Scripts.answer(actions: [.addHeaders])),
            failure: [
                "negotiate: actions include ADDHDRS|CHGFROM: CHGFROM not asked for (got ADDHDRS)",
                "protocol include NR_HDR: NR_HDR not asked for", "symbol list",
                "expected 'j {daemon_name}', got no list",
            ]),
        Case(
            description: "a refused offer",
            yaml: "negotiate: {version: 2, expect: {refused: true}}\n",
            good: answering(.optionNegotiation, [.close]),
            bad: Scripts.wellBehaved(answer: Scripts.answer(version: .v2, actions: .version2)),
            failure: ["negotiate: refused: expected the milter to refuse the offer, it accepted"]),
    ]

    @Test(arguments: cases)
    func expectation(_ example: Case) async throws {
        try await ScenarioExpectationTests().check(example)
    }

    @Test func showValuesPrintsTheMiltersValuesAsTheyAre() async throws {
        let milter = try await ScriptedMilter(script: Self.endOfMessage([.replyCode("554 5.7.1 ham <x@example.org>")]))
        let scenario = try ScenarioParser.parse(
            Self.message("{reply: {text: {matches: '^spam'}}}"), file: "case.yaml")[0]
        let address = MilterAddress.inet(host: "127.0.0.1", port: milter.port)
        let redacted = await ScenarioRunner.run(scenario, target: address, options: ScenarioRunOptions())
        let shown = await ScenarioRunner.run(scenario, target: address, options: ScenarioRunOptions(showsValues: true))
        await milter.stop()
        #expect(redacted.failures.map(\.failure) == ["expected matching /^spam/, got 'xxx <x@xxxxxxx.xxx>'"])
        #expect(shown.failures.map(\.failure) == ["expected matching /^spam/, got 'ham <x@example.org>'"])
    }

    @Test func aCaseWhoseActionWasNotNegotiatedIsSkippedWithTheReason() async throws {
        let yaml = "skip-unless: {actions: [CHGFROM]}\n" + Self.message("{verdict: accept}")
        let outcome = try await ScenarioHarness.run(
            yaml, against: Scripts.wellBehaved(answer: Scripts.answer(actions: [.addHeaders, .changeHeaders])))
        #expect(
            outcome.status == ScenarioOutcome.Status.skipped("needs action CHGFROM negotiated (got ADDHDRS|CHGHDRS)"))
        #expect(!outcome.failsRun)
    }

    @Test func anUnreachableMilterIsAnErrorThatFailsTheRun() async throws {
        let scenario = try ScenarioParser.parse(Self.message("{verdict: accept}"), file: "case.yaml")[0]
        let port = try FreePort.allocate()
        let outcome = await ScenarioRunner.run(
            scenario, target: .inet(host: "127.0.0.1", port: port), options: ScenarioRunOptions())
        guard case .unreachable(let reason) = outcome.status else {
            Issue.record("expected unreachable, got \(outcome.status)")
            return
        }
        #expect(reason.contains("cannot connect to 127.0.0.1:\(port)"), "\(reason)")
        #expect(outcome.failsRun)
    }
}
