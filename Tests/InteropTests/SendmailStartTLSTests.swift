import Foundation
import MilterProtocol
import MilterTestSupport
import Testing

/// STARTTLS through the real Sendmail (a Python TLS client, `interop/smtp-steps.py`) and through milter-replay
/// playing the same session as a scenario with `mta: sendmail`: the milter gets nothing at STARTTLS (`srvrsmtp.c`),
/// and the next EHLO is a HELO whose macros carry the TLS session, the certificate's empty.
@Suite("Sendmail and milter-replay at STARTTLS")
struct SendmailStartTLSTests {
    static let smtpSteps = ["ehlo:client.example", "starttls", "ehlo:after.example", "message", "quit"]

    static let scenario = """
        id: sendmail-starttls
        mta: sendmail
        steps:
          - connect: {address: 127.0.0.1, hostname: localhost}
          - helo: client.example
          - starttls
          - helo: after.example
          - message: {from: a@example.com, to: b@example.org}
          - quit
        """

    @Test func sendmailAndMilterReplaySendTheSameFrames() async throws {
        guard Interop.require(.sendmail, .tls) else { return }
        let directory = try Scratch.makeDirectory("sendmail-starttls")
        defer { Scratch.remove(directory) }
        let certificate = try await PostfixStartTLSTests.selfSignedCertificate(in: directory)
        let scenario = directory.appendingPathComponent("starttls.yaml")
        try Self.scenario.write(to: scenario, atomically: true, encoding: .utf8)
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let client = TestPaths.root.appendingPathComponent("interop/smtp-steps.py").path
        do {
            try await Sendmail.with(milters: ["inet:\(milter.port)@127.0.0.1"], tls: certificate) { sendmail in
                // A first session, so that the check that Sendmail listens is over before the one compared.
                _ = try await PostfixStartTLSTests.connections(of: milter) {
                    try await ProcessRunner.run("/usr/bin/python3", [client, "\(sendmail.smtpPort)", "quit"])
                        .check("smtp-steps.py")
                }
                var output = ""
                let real = try await PostfixStartTLSTests.connections(of: milter) {
                    let result = try await ProcessRunner.run(
                        "/usr/bin/python3", [client, "\(sendmail.smtpPort)"] + Self.smtpSteps, timeout: .seconds(120)
                    ).check("smtp-steps.py")
                    output = result.stdout
                    return result
                }
                #expect(output.contains("starttls 220"), "\(output)")
                let simulated = try await PostfixStartTLSTests.connections(of: milter) {
                    try await MilterReplayBinary.run([
                        "scenario", "--target", "127.0.0.1:\(milter.port)", scenario.path,
                    ]).check("milter-replay scenario")
                }
                let events = { (connections: [[MilterCommand]]) in
                    connections.map { SessionEndCase.collapsed($0.map(\.id).filter { $0 != .macro }) }
                }
                #expect(
                    events(real) == [[.connect, .helo, .helo] + SessionEndCase.message + [.quit]],
                    "Sendmail: \(events(real))")
                #expect(events(simulated) == events(real), "milter-replay: \(events(simulated))")
                let helos = { (connections: [[MilterCommand]]) in
                    connections.map { $0.compactMap { PostfixStartTLSTests.macros($0, stage: .helo) } }
                }
                #expect(helos(real).flatMap(\.self).last?.isEmpty == false, "\(helos(real))")
                #expect(
                    helos(simulated) == helos(real), "Sendmail: \(helos(real))\nmilter-replay: \(helos(simulated))")
            }
        } catch {
            await milter.stop()
            throw error
        }
        await milter.stop()
    }
}
