import MilterClient
import MilterTestSupport
import Testing

/// The macros of MAIL and RCPT (`{mail_addr}`, `{mail_host}`, `{mail_mailer}`, `{rcpt_addr}`, `{rcpt_host}`,
/// `{rcpt_mailer}`, and whether the queue ID is there) from the real Postfix and from MilterClient's Postfix
/// profile with the same routing (``MTARouting``): the harness's instance relays everything to its smtp-sink
/// (`relayhost = [127.0.0.1]:PORT`, `mydestination =`, `myorigin = interop.test`).
@Suite("Postfix and MilterClient at MAIL and RCPT")
struct PostfixEnvelopeMacroTests {
    @Test func postfixAndTheProfileSendTheSameEnvelopeMacros() async throws {
        guard Interop.require(.postfix) else { return }
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        do {
            try await Postfix.with(milters: ["inet:127.0.0.1:\(milter.port)"]) { postfix in
                // The check that Postfix listens made a session of its own (OPTNEG, CONNECT, QUIT).
                try await milter.waitForQuits(1)
                let real = try await EnvelopeMacros.macros(of: milter) {
                    let session = try await postfix.session(EnvelopeMacros.messages)
                    #expect(session.results.allSatisfy { $0.rcpts.allSatisfy { $0.code == 250 } }, "\(session)")
                }
                let relay = "[127.0.0.1]:\(postfix.sink.port)"
                var configuration = MilterClientConfiguration(profile: .postfix)
                configuration.identity = MTAIdentity(
                    hostname: "mta.interop.test",
                    routing: MTARouting(relayHost: relay, localDomains: [], origin: "interop.test"))
                let simulated = try await EnvelopeMacros.macros(of: milter) {
                    try await EnvelopeMacros.play(port: milter.port, configuration)
                }
                #expect(real.count == 7, "Postfix: \(real)")
                #expect(real.allSatisfy { ($0["{mail_host}"] ?? $0["{rcpt_host}"]) == relay }, "Postfix: \(real)")
                #expect(simulated == real, "Postfix: \(real)\nMilterClient: \(simulated)")
            }
        } catch {
            await milter.stop()
            throw error
        }
        await milter.stop()
    }
}
