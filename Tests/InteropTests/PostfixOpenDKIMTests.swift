import Foundation
import Testing

/// Real Postfix driving OpenDKIM and python3-milter: proves the harness for those peers.
@Suite("Postfix + OpenDKIM / python3-milter")
struct PostfixOpenDKIMTests {
    @Test func openDKIMSignsRelayedMail() async throws {
        guard Interop.require(.postfix, .opendkim) else { return }
        try await OpenDKIM.with { dkim in
            try await Postfix.with(milters: [dkim.postfixSpec]) { postfix in
                let message = SMTPMessage(from: "sender@example.com", to: ["b@example.org"], subject: "sign me")
                #expect(try await postfix.send(message).final?.code == 250)
                let relayed = try #require(try await postfix.delivered(count: 1).first)
                let signature = try #require(relayed.header(named: "DKIM-Signature"))
                #expect(signature.contains("d=example.com"))
                #expect(signature.contains("s=test"))
                #expect(try dkim.publicKeyRecord().contains("p="))
            }
        }
    }

    @Test func pyMilterAddsAHeaderAndRejects() async throws {
        guard Interop.require(.postfix, .pymilter) else { return }
        try await PyMilter.with { milter in
            try await Postfix.with(milters: [milter.postfixSpec]) { postfix in
                let session = try await postfix.session([
                    SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "hello"),
                    SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "[reject] this"),
                ])
                #expect(session.results.map { $0.final?.code } == [250, 550])
                #expect(session.results.last?.final?.text == "5.7.1 rejected by pymilter")
                let relayed = try #require(try await postfix.delivered(count: 1).first)
                #expect(relayed.header(named: "X-PyMilter")?.hasPrefix("seen ") == true)
            }
        }
    }
}
