import Foundation
import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// The `xclient` step's `proto`, `login`, `destaddr` and `destport`: parsed and checked as Postfix's `xclient_cmd`
/// takes them, and played so that the milter's macros change as Postfix's do.
struct XClientAttributeScenarioTests {
    @Test func theServerSideAttributesParse() throws {
        let yaml = """
            steps:
              - xclient: {proto: esmtp, login: alice, destaddr: "IPV6:2001:db8::25", destport: 587}
              - xclient: {login: "[UNAVAILABLE]", destaddr: "[UNAVAILABLE]", destport: "[UNAVAILABLE]"}
            """
        let steps = try ScenarioParser.parse(yaml, file: "x.yaml")[0].sessions[0].steps
        let specs = steps.compactMap { step -> XClientSpec? in
            if case .xclient(let spec) = step.action { return spec }
            return nil
        }
        #expect(
            specs == [
                XClientSpec(
                    smtpProtocol: .esmtp, login: "alice", destinationAddress: "2001:db8::25", destinationPort: "587"),
                XClientSpec(destinationAddress: "unknown", destinationPort: "unknown"),
            ])
    }

    @Test(arguments: [
        ("steps:\n  - xclient: {proto: LMTP}\n", "'proto': SMTP or ESMTP"),
        ("steps:\n  - xclient: {login: \"[TEMPUNAVAIL]\"}\n", "'login': a SASL login name, or [UNAVAILABLE]"),
        ("steps:\n  - xclient: {destaddr: mx.example}\n", "'destaddr': an IPv4 or IPv6 address"),
        ("steps:\n  - xclient: {destaddr: \"[TEMPUNAVAIL]\"}\n", "'destaddr': an IPv4 or IPv6 address"),
        ("steps:\n  - xclient: {destaddr: 300.1.1.1}\n", "'destaddr': an IPv4 or IPv6 address"),
        ("steps:\n  - xclient: {destaddr: \"1..2\"}\n", "'destaddr': an IPv4 or IPv6 address"),
        ("steps:\n  - xclient: {destaddr: \":\"}\n", "'destaddr': an IPv4 or IPv6 address"),
        ("steps:\n  - xclient: {destport: 65536}\n", "out of range"),
        ("steps:\n  - xclient: {destport: \"[TEMPUNAVAIL]\"}\n", "expected a whole number"),
        ("steps:\n  - xclient: {}\n", "needs at least one of name, addr, port, helo, proto, login, destaddr, destport"),
    ])
    func badValuesAreRefused(_ yaml: String, _ words: String) {
        #expect {
            _ = try ScenarioParser.parse(yaml, file: "bad.yaml")
        } throws: { error in
            guard let error = error as? ScenarioParseError else { return false }
            return error.location.line == 2 && error.message.contains(words)
        }
    }

    /// `milter-replay scenario` with `login`, `destaddr` and `destport`: the new connection's CONNECT macros carry
    /// the daemon address and port, its MAIL macros the login with `{auth_type}` XCLIENT.
    @Test func theMilterGetsTheLoginAndTheDaemonAddress() async throws {
        let directory = try Scratch.makeDirectory("xclient-attributes")
        defer { Scratch.remove(directory) }
        let file = directory.appendingPathComponent("xclient.yaml")
        try """
        id: xclient.login
        steps:
          - connect
          - helo: client.example
          - xclient: {login: alice, destaddr: 198.51.100.25, destport: 587, proto: ESMTP}
          - helo: client.example
          - mail: a@example.org
          - quit
        """.write(to: file, atomically: true, encoding: .utf8)
        let answer = Scripts.answer(symbolLists: [
            SymbolList(stage: .connect, names: ["{daemon_addr}", "{daemon_port}"]),
            SymbolList(stage: .mail, names: ["{auth_type}", "{auth_authen}"]),
        ])
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved(answer: answer))
        let result = try await ReplayBinary.run(["scenario", file.path, "--target", "127.0.0.1:\(milter.port)"])
        await milter.stop()
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let packets = milter.macroPackets.map { packet in
            (packet.stage, Dictionary(packet.macros.map { ($0.name.string, $0.value.string) }) { first, _ in first })
        }
        let connects = packets.filter { $0.0 == UInt8(ascii: "C") }.map(\.1)
        #expect(connects.count == 2, "\(packets)")
        #expect(connects.last?["{daemon_addr}"] == "198.51.100.25" && connects.last?["{daemon_port}"] == "587")
        let mail = packets.first { $0.0 == UInt8(ascii: "M") }?.1 ?? [:]
        #expect(mail["{auth_authen}"] == "alice" && mail["{auth_type}"] == "XCLIENT", "\(packets)")
    }
}
