import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// What each step puts on the wire, seen by a scripted milter: the CONNECT families, ESMTP arguments,
/// header values, generated bodies, macros, ABORT in the middle of the body, UNKNOWN and QUIT_NC.
struct ScenarioWireTests {
    static let scenario = """
        negotiate: {version: 6}
        macros:
          connect: {j: mx.scenario.test}
        steps:
          - connect: {family: inet6, address: "2001:db8::25", port: 4025, hostname: "v6.example"}
          - helo: v6.example
          - mail: {address: <a@example.org>, args: [SIZE=70000, BODY=8BITMIME]}
          - rcpt: {address: b@example.org, args: [NOTIFY=NEVER]}
          - data
          - headers:
              - "Subject: hi"
              - {name: X-Empty, value: ""}
              - {name: X-Huge, size: 60000}
          - eoh
          - body: {size: 70000, content: 8bit}
          - abort
          - unknown: "XFOO bar"
          - quit-nc
          - connect: {family: unix, address: /run/client.sock, hostname: local.example}
          - helo: local.example
          - quit-nc
          - connect: {family: unknown, hostname: unknown.example}
          - quit
        """

    @Test func everyStepGoesOnTheWireAsWritten() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let parsed = try ScenarioParser.parse(Self.scenario, file: "wire.yaml")[0]
        let outcome = await ScenarioRunner.run(
            parsed, target: .inet(host: "127.0.0.1", port: milter.port), options: ScenarioRunOptions())
        // The client closes right after QUIT, as Postfix does: let the milter read it before stopping.
        _ = try? await pollUntil("QUIT read", timeout: .seconds(10), interval: .milliseconds(5)) {
            milter.eventIDs.last == .quit ? true : nil
        }
        await milter.stop()
        #expect(outcome.status == .passed, "\(outcome.checks)")
        #expect(
            milter.eventIDs == [
                .optionNegotiation, .connect, .helo, .mail, .recipient, .data, .header, .header, .header, .endOfHeaders,
                .body, .body, .abort, .unknown, .quitNewConnection, .connect, .helo, .quitNewConnection, .connect,
                .quit,
            ])
        let connects = milter.commands.compactMap { if case .connect(let info) = $0 { info } else { nil } }
        #expect(
            connects.map(\.address) == [
                .inet6(address: "2001:db8::25", port: 4025), .local(path: "/run/client.sock", port: 0), .unknown,
            ])
        #expect(connects.map(\.hostname) == ["v6.example", "local.example", "unknown.example"])
        let mail = milter.commands.compactMap { if case .mail(let address) = $0 { address } else { nil } }
        #expect(mail.first?.arguments == ["SIZE=70000", "BODY=8BITMIME"])
        let headers = milter.commands.compactMap { if case .header(let field) = $0 { field } else { nil } }
        #expect(headers.map(\.value.bytes.count) == [2, 0, 60_000])
        let body = milter.commands.compactMap { if case .body(let chunk) = $0 { chunk.readableBytes } else { nil } }
        #expect(body == [65_535, 4_465])  // 70000 bytes, CRLF line ends included
        #expect(milter.commands.contains(.unknown("XFOO bar")))
        let connectMacros = milter.macroPackets.first { $0.stage == UInt8(ascii: "C") }?.macros ?? []
        #expect(connectMacros.contains(MacroDefinition.Macro(name: "j", value: "mx.scenario.test")))
    }

    @Test func aSessionThatStartsWithAMessageGetsConnectAndHeloFirst() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let yaml = "steps:\n  - message: {from: a@example.org, to: b@example.org}\n    expect: {verdict: accept}\n"
        let parsed = try ScenarioParser.parse(yaml, file: "m.yaml")[0]
        let outcome = await ScenarioRunner.run(
            parsed, target: .inet(host: "127.0.0.1", port: milter.port), options: ScenarioRunOptions())
        await milter.stop()
        #expect(outcome.status == .passed, "\(outcome.checks)")
        #expect(Array(milter.eventIDs.prefix(4)) == [.optionNegotiation, .connect, .helo, .mail])
    }

    @Test func aStepTheMTACannotSendThereFailsAsTheScenariosMistake() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let parsed = try ScenarioParser.parse("steps:\n  - connect\n  - rcpt: b@example.org\n", file: "o.yaml")[0]
        let outcome = await ScenarioRunner.run(
            parsed, target: .inet(host: "127.0.0.1", port: milter.port), options: ScenarioRunOptions())
        await milter.stop()
        #expect(outcome.status == .failed)
        #expect(
            outcome.failures.map(\.description) == [
                "o.yaml:3:5: rcpt: order: the MTA cannot send RCPT here: milter protocol error: commandOutOfOrder, "
                    + "command 'R' (0x52), RCPT during connection"
            ])
        #expect(!milter.eventIDs.contains(.recipient))
    }

    @Test func generatedBodiesAreExactAndEightBit() throws {
        let parsed = try ScenarioParser.parse(
            "steps:\n  - body: {size: 1000, content: 8bit, line-length: 10}\n", file: "b.yaml")
        guard case .body(.generated(let generated)) = parsed[0].sessions[0].steps[0].action else {
            Issue.record("not a generated body")
            return
        }
        #expect(generated == GeneratedBody(size: 1000, content: .eightBit, lineLength: 10))
        let bytes = generated.bytes
        #expect(bytes.count == 1000)
        #expect(bytes.suffix(2) == [0x0D, 0x0A])
        #expect(bytes.contains { $0 >= 0x80 })
        let lines = bytes.split(separator: 0x0A).map { $0.last == 0x0D ? $0.dropLast() : $0 }
        #expect(lines.allSatisfy { $0.count <= 10 && !$0.contains(0x0D) })
        #expect(generated.bytes == bytes, "the same every time")
    }
}
