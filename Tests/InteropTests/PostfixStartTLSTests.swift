import Foundation
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// STARTTLS and XCLIENT as the milter sees them, from the real Postfix (a Python client speaking TLS,
/// `interop/smtp-steps.py`) and from milter-replay playing the same session as a scenario: the same milter
/// connections with the same events, the same TLS macros at each HELO, and the same client in the CONNECT of each
/// connection XCLIENT opens. Postfix's own events are checked too (``expected``), as `smtpd.c` and `milter8.c`
/// send them.
@Suite("Postfix and milter-replay at STARTTLS and XCLIENT")
struct PostfixStartTLSTests {
    /// The SMTP session: STARTTLS after EHLO, a message, XCLIENT without and then with a HELO name.
    static let smtpSteps = [
        "ehlo:client.example", "starttls", "ehlo:after.example", "message",
        "xclient:NAME=new.example,ADDR=127.0.0.2,PORT=4242", "ehlo:again.example", "message",
        "xclient:NAME=new2.example,ADDR=127.0.0.3,PORT=4343,HELO=x.example", "ehlo:again2.example", "quit",
    ]

    /// The same session as a scenario.
    static let scenario = """
        id: starttls-xclient
        steps:
          - connect: {address: 127.0.0.1, hostname: localhost}
          - helo: client.example
          - starttls
          - helo: after.example
          - message: {from: a@example.com, to: b@example.org}
          - xclient: {name: new.example, addr: 127.0.0.2, port: 4242}
          - helo: again.example
          - message: {from: a@example.com, to: b@example.org}
          - xclient: {name: new2.example, addr: 127.0.0.3, port: 4343, helo: x.example}
          - helo: again2.example
          - quit
        """

    /// The events of each milter connection (OPTNEG left out, runs of HEADER and BODY as one): `helo_reset`'s
    /// ABORT at STARTTLS; at the first XCLIENT the message's ABORT, `helo_reset`'s and QUIT; at the second (it
    /// names a HELO) QUIT alone, and the ABORT of that HELO name after the next EHLO and at the end.
    static let expected: [[MilterCommand.ID]] = [
        [.connect, .helo, .abort, .helo] + SessionEndCase.message + [.abort, .abort, .quit],
        [.connect, .helo] + SessionEndCase.message + [.abort, .quit],
        [.connect, .helo, .abort, .abort, .quit],
    ]

    @Test func postfixAndMilterReplaySendTheSameFrames() async throws {
        guard Interop.require(.postfix, .tls) else { return }
        let directory = try Scratch.makeDirectory("starttls")
        defer { Scratch.remove(directory) }
        let certificate = try await Self.selfSignedCertificate(in: directory)
        let scenario = directory.appendingPathComponent("starttls.yaml")
        try Self.scenario.write(to: scenario, atomically: true, encoding: .utf8)
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let settings = [
            "smtpd_tls_cert_file=\(certificate.cert)", "smtpd_tls_key_file=\(certificate.key)",
            "smtpd_tls_security_level=may", "smtpd_authorized_xclient_hosts=127.0.0.0/8",
        ]
        do {
            try await Postfix.with(milters: ["inet:127.0.0.1:\(milter.port)"], settings: settings) { postfix in
                // The check that Postfix listens made a session of its own (OPTNEG, CONNECT, QUIT).
                try await milter.waitForQuits(1)
                let real = try await Self.connections(of: milter) {
                    try await ProcessRunner.run(
                        "/usr/bin/python3",
                        [TestPaths.root.appendingPathComponent("interop/smtp-steps.py").path, "\(postfix.smtpPort)"]
                            + Self.smtpSteps, timeout: .seconds(120)
                    ).check("smtp-steps.py")
                }
                let simulated = try await Self.connections(of: milter) {
                    try await MilterReplayBinary.run([
                        "scenario", "--target", "127.0.0.1:\(milter.port)", scenario.path,
                    ]).check("milter-replay scenario")
                }
                Self.compare(real: real, simulated: simulated)
            }
        } catch {
            await milter.stop()
            throw error
        }
        await milter.stop()
    }

    /// After REJECT or TEMPFAIL at HELO, STARTTLS gets the milter's standing reply (`milter_other_event`; a 4xx
    /// one as 454) and the milter, its socket closed, nothing more: the same from Postfix and from the profile.
    @Test func aRefusalAtHeloAnswersStartTLS() async throws {
        guard Interop.require(.postfix, .tls) else { return }
        let verdicts: [MilterReply] = [.reject, .tempfail]
        let expected = ["550 5.7.1 Command rejected", "454 4.3.0 Try again later"]
        try await VerdictCases.withMilter(verdicts.map { (.helo, .reply($0)) }) { milter, select in
            try await Postfix.with(milters: ["inet:127.0.0.1:\(milter.port)"]) { postfix in
                try await milter.waitForQuits(1)
                for (index, verdict) in verdicts.enumerated() {
                    select(index)
                    let (output, real) = try await milter.events {
                        try await ProcessRunner.run(
                            "/usr/bin/python3",
                            [
                                TestPaths.root.appendingPathComponent("interop/smtp-steps.py").path,
                                "\(postfix.smtpPort)", "ehlo:client.example", "starttls", "quit",
                            ], timeout: .seconds(120)
                        ).check("smtp-steps.py").stdout
                    }
                    let reply = output.split(separator: "\n").first { $0.hasPrefix("starttls ") }
                        .map { String($0.dropFirst("starttls ".count)) }
                    let (record, simulated) = try await milter.events {
                        let connection = try await MilterClientConnection.open(
                            to: .inet(host: "127.0.0.1", port: milter.port),
                            configuration: MilterClientConfiguration(profile: .postfix))
                        _ = await connection.connect()
                        _ = await connection.helo("client.example")
                        let record = await connection.startTLS()
                        await connection.quit()
                        return record
                    }
                    #expect(reply == expected[index], "\(verdict): Postfix \(output)")
                    #expect(record.smtpReply == reply, "\(verdict): \(record)")
                    #expect(real == [.optionNegotiation, .connect, .helo], "\(verdict): Postfix \(real)")
                    #expect(simulated == real, "\(verdict): \(simulated)")
                }
            }
        }
    }

    /// Checks both sessions against ``expected`` and against each other.
    static func compare(real: [[MilterCommand]], simulated: [[MilterCommand]]) {
        let events = { (connections: [[MilterCommand]]) in
            connections.map { SessionEndCase.collapsed($0.map(\.id).filter { $0 != .macro }) }
        }
        #expect(events(real) == expected, "Postfix: \(events(real))")
        #expect(events(simulated) == events(real), "milter-replay: \(events(simulated))")
        // The macros of every HELO: the TLS session's from STARTTLS on, across XCLIENT.
        let helos = { (connections: [[MilterCommand]]) in
            connections.map { $0.compactMap { macros($0, stage: .helo) } }
        }
        #expect(helos(real).flatMap(\.self).dropFirst().allSatisfy { !$0.isEmpty }, "\(helos(real))")
        #expect(helos(simulated) == helos(real), "Postfix: \(helos(real))\nmilter-replay: \(helos(simulated))")
        // The client of each connection XCLIENT opened, in CONNECT and in the `_` macro.
        let clients = { (connections: [[MilterCommand]]) in
            connections.dropFirst().map { commands in
                let connect = commands.compactMap { if case .connect(let info) = $0 { info } else { nil } }.first
                let label = commands.compactMap { macros($0, stage: .connect) }.first?.first { $0.name == "_" }
                return "\(String(describing: connect)) _=\(label?.value.description ?? "none")"
            }
        }
        #expect(clients(simulated) == clients(real), "Postfix: \(clients(real))\nmilter-replay: \(clients(simulated))")
    }

    /// The macros of a MACRO packet for `stage`, or `nil` for any other command.
    static func macros(_ command: MilterCommand, stage: MilterCommand.ID) -> [MacroDefinition.Macro]? {
        guard case .macro(let definition) = command, definition.stage == stage.rawValue else { return nil }
        return definition.macros
    }

    /// The commands of each milter connection opened during `body`, once all of them closed.
    static func connections(
        of milter: ScriptedMilter, during body: () async throws -> ProcessResult
    ) async throws -> [[MilterCommand]] {
        let before = milter.acceptedConnections
        _ = try await body()
        _ = try await pollUntil("the milter connections closed", timeout: .seconds(20)) {
            milter.openConnections(from: before) == 0 ? true : nil
        }
        return milter.commandsByConnection(from: before)
    }

    /// A self-signed certificate and its key for smtpd, the key readable by root only (Sendmail refuses another;
    /// Postfix and Sendmail read it as root).
    static func selfSignedCertificate(in directory: URL) async throws -> (cert: String, key: String) {
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try await ProcessRunner.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj",
                "/CN=mta.interop.test",
            ]
        ).check("openssl req")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: cert)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        return (cert, key)
    }
}
