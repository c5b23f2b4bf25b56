import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// The `helo` and `ehlo` steps: the milter gets HELO for both, and the MTA's own `Received:` field names the
/// protocol the client spoke (`SMTP`, `ESMTP`, `ESMTPS`, `ESMTPSA`), as Postfix's `smtpd` writes it.
struct ReceivedProtocolScenarioTests {
    @Test func ehloParsesAsAnExtendedHelo() throws {
        let yaml = "steps:\n  - ehlo\n  - ehlo: e.example\n  - helo: h.example\n"
        let steps = try ScenarioParser.parse(yaml, file: "e.yaml")[0].sessions[0].steps
        let helos = steps.compactMap { step -> String? in
            guard case .helo(let name, let extended) = step.action else { return nil }
            return "\(extended ? "EHLO" : "HELO") \(name ?? "-")"
        }
        #expect(helos == ["EHLO -", "EHLO e.example", "HELO h.example"])
        #expect(steps.map(\.action.keyword) == ["ehlo", "ehlo", "helo"])
    }

    /// The steps before the message, and the protocol the resulting message's `Received:` field must name.
    @Test(arguments: [
        ("  - helo: c.example\n", "SMTP"),
        ("  - ehlo: c.example\n", "ESMTP"),
        ("", "ESMTP"),
        ("  - ehlo: c.example\n  - starttls\n  - ehlo: c.example\n", "ESMTPS"),
        ("  - helo: c.example\n  - starttls\n  - helo: c.example\n", "SMTP"),
        ("  - ehlo: c.example\n  - starttls\n  - xclient: {helo: x.example, proto: ESMTP, login: alice}\n", "ESMTPSA"),
        ("  - ehlo: c.example\n  - xclient: {helo: x.example, login: alice}\n", "SMTP"),
    ])
    func theResultingMessageNamesTheProtocol(_ greeting: String, _ expected: String) async throws {
        let yaml = """
            steps:
              - connect
            \(greeting)  - message: {from: a@example.org, to: b@example.org}
                expect: {result: {headers-present: [{name: Received, value: {contains: ' with \(expected) id '}}]}}
              - quit
            """
        let outcome = try await ScenarioHarness.run(yaml, against: Scripts.wellBehaved())
        #expect(outcome.status == .passed, "\(outcome.failures)")
    }
}
