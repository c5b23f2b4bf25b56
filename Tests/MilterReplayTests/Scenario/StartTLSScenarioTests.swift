import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// The `starttls` and `xclient` steps: what they parse to, where they are refused, and what the milter gets.
struct StartTLSScenarioTests {
    @Test func starttlsParsesWithAndWithoutValues() throws {
        let yaml = """
            steps:
              - connect
              - helo
              - starttls
              - quit-nc
              - connect
              - starttls: {version: TLSv1.2, cipher: ECDHE-RSA-AES128-GCM-SHA256, cipher-bits: 128, cert-subject: c.example, cert-issuer: CA}
              - quit
            """
        let steps = try ScenarioParser.parse(yaml, file: "tls.yaml")[0].sessions[0].steps
        guard case .startTLS(let plain) = steps[2].action, case .startTLS(let given) = steps[5].action else {
            Issue.record("\(steps.map(\.action.keyword))")
            return
        }
        #expect(plain == TLSSession())
        #expect(
            given
                == TLSSession(
                    version: "TLSv1.2", cipher: "ECDHE-RSA-AES128-GCM-SHA256", cipherBits: 128,
                    certificateSubject: "c.example", certificateIssuer: "CA"))
    }

    @Test func xclientParsesItsAttributes() throws {
        let yaml = "steps:\n  - xclient: {name: new.example, addr: \"IPV6:2001:db8::7\", port: 4242, helo: h.example}\n"
        let step = try ScenarioParser.parse(yaml, file: "x.yaml")[0].sessions[0].steps[0]
        guard case .xclient(let spec) = step.action else {
            Issue.record("\(step.action.keyword)")
            return
        }
        #expect(spec == XClientSpec(name: "new.example", address: "2001:db8::7", port: 4242, helo: "h.example"))
    }

    @Test(arguments: [
        (
            "steps:\n  - mail: a@example.org\n  - starttls\n", 3,
            "'starttls' inside a transaction: end it first"
        ),
        ("steps:\n  - helo\n  - starttls\n  - helo\n  - starttls\n", 5, "a second 'starttls': TLS is already active"),
        (
            "steps:\n  - mail: a@example.org\n  - rcpt: b@example.org\n  - xclient: {name: n.example}\n", 4,
            "Postfix answers 503"
        ),
        ("steps:\n  - xclient: {}\n", 2, "'xclient' needs at least one of name, addr, port, helo"),
        ("steps:\n  - xclient: {host: n.example}\n", 2, "unknown key 'host'"),
        ("steps:\n  - xclient: {addr: \"[UNAVAILABLE]\"}\n", 2, "'addr': an IPv4 or IPv6 address"),
        ("mta: sendmail\nsteps:\n  - connect\n  - xclient: {name: n.example}\n", 4, "Sendmail has no XCLIENT"),
    ])
    func misplacedStepsAreRefused(_ yaml: String, _ line: Int, _ words: String) {
        #expect {
            _ = try ScenarioParser.parse(yaml, file: "bad.yaml")
        } throws: { error in
            guard let error = error as? ScenarioParseError else { return false }
            return error.location.line == line && error.message.contains(words)
        }
    }

    /// STARTTLS after EHLO and XCLIENT with a HELO name, as Postfix plays them (InteropTests `PostfixStartTLSTests`
    /// checks the same against the real one): ABORT at STARTTLS, the TLS macros at the next HELO; at XCLIENT QUIT
    /// (no ABORT: XCLIENT gave a HELO name), then a new connection with OPTNEG and CONNECT for the new client, TLS
    /// kept, and the ABORT of the HELO name XCLIENT gave after the next HELO.
    @Test func theMilterGetsWhatPostfixSends() async throws {
        let yaml = """
            steps:
              - connect
              - helo: client.example
              - starttls
              - helo: after.example
              - xclient: {name: new.example, addr: 192.0.2.7, port: 4242, helo: x.example}
                expect: {verdict: continue}
              - helo: again.example
              - message: {from: a@example.com, to: b@example.org}
              - quit
            """
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let scenario = try ScenarioParser.parse(yaml, file: "tls.yaml")[0]
        let outcome = await ScenarioRunner.run(
            scenario, target: .inet(host: "127.0.0.1", port: milter.port), options: ScenarioRunOptions())
        _ = try? await pollUntil("both QUITs read", timeout: .seconds(10), interval: .milliseconds(5)) {
            milter.eventIDs.count(where: { $0 == .quit }) == 2 ? true : nil
        }
        await milter.stop()
        #expect(outcome.status == .passed, "\(outcome.checks)")
        #expect(milter.acceptedConnections == 2)
        #expect(
            SessionEndCase.collapsed(milter.eventIDs(ofConnectionsFrom: 0)) == [
                .connect, .helo, .abort, .helo, .quit, .connect, .helo, .abort,
            ] + SessionEndCase.message + [.abort, .abort, .quit])
        let helos = milter.macroPackets.filter { $0.stage == MilterCommand.ID.helo.rawValue }.map(\.macros)
        let tls: [MacroDefinition.Macro] = [
            .init(name: "{tls_version}", value: "TLSv1.3"), .init(name: "{cipher}", value: "TLS_AES_256_GCM_SHA384"),
            .init(name: "{cipher_bits}", value: "256"),
        ]
        #expect(helos == [[], tls, tls], "\(helos)")
        let connects = milter.commands.compactMap { if case .connect(let info) = $0 { info } else { nil } }
        #expect(connects.last?.hostname == "new.example")
        #expect(connects.last?.address == .inet(address: "192.0.2.7", port: 4242))
    }
}
