import MilterClient
import MilterTestSupport
import Testing

/// The macros of MAIL and RCPT from the real Sendmail and from MilterClient's Sendmail profile with the same
/// routing (``MTARouting``): the harness's instance relays everything to its smtp-sink (`SMART_HOST([127.0.0.1])`,
/// the port in the relay mailer) and delivers its own host name's mail locally.
@Suite("Sendmail and MilterClient at MAIL and RCPT")
struct SendmailEnvelopeMacroTests {
    @Test func sendmailAndTheProfileSendTheSameEnvelopeMacros() async throws {
        guard Interop.require(.sendmail) else { return }
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        do {
            try await Sendmail.with(milters: ["inet:\(milter.port)@127.0.0.1"]) { sendmail in
                let real = try await EnvelopeMacros.macros(of: milter) {
                    let session = try await SMTPClient.session(
                        port: sendmail.smtpPort, messages: EnvelopeMacros.messages)
                    #expect(session.results.allSatisfy { $0.rcpts.allSatisfy { $0.code == 250 } }, "\(session)")
                }
                var configuration = MilterClientConfiguration(profile: .sendmail)
                configuration.identity = MTAIdentity(
                    hostname: "mta.interop.test", routing: MTARouting(relayHost: "[127.0.0.1]"))
                let simulated = try await EnvelopeMacros.macros(of: milter) {
                    try await EnvelopeMacros.play(port: milter.port, configuration)
                }
                #expect(real.count == 7, "Sendmail: \(real)")
                #expect(real.contains { $0["{rcpt_mailer}"] == "relay" && $0["{rcpt_host}"] == "[127.0.0.1]" })
                #expect(simulated == real, "Sendmail: \(real)\nMilterClient: \(simulated)")
            }
        } catch {
            await milter.stop()
            throw error
        }
        await milter.stop()
    }
}
