import Foundation
import Testing

/// Proves the harness: real Postfix driving the libmilter cmilter. No swift-milter code involved.
@Suite("Postfix + libmilter cmilter")
struct PostfixCMilterTests {
    @Test func acceptDeliversToTheSink() async throws {
        guard Interop.require(.postfix, .libmilter) else { return }
        try await Postfix.withCMilter { postfix, milter in
            let result = try await postfix.send(
                SMTPMessage(from: "a@example.com", to: ["b@example.org"], headers: [("X-Test-Action", "accept")]))
            #expect(result.final?.code == 250)
            let delivered = try await postfix.delivered(count: 1)
            #expect(delivered.first?.rcptTo == ["<b@example.org>"])
            #expect(milter.log().contains("cmilter: eom"))
        }
    }

    @Test func rejectTextReachesTheSMTPClient() async throws {
        guard Interop.require(.postfix, .libmilter) else { return }
        try await Postfix.withCMilter { postfix, _ in
            let result = try await postfix.send(
                SMTPMessage(
                    from: "a@example.com", to: ["b@example.org"],
                    headers: [("X-Test-Action", "replycode 550 5.7.1 interop says no")]))
            #expect(result.final?.code == 550)
            #expect(result.final?.text == "5.7.1 interop says no")
            #expect(try postfix.sink.messages().isEmpty)
        }
    }

    @Test func rcptRejectKeepsTheSessionGoing() async throws {
        guard Interop.require(.postfix, .libmilter) else { return }
        try await Postfix.withCMilter { postfix, _ in
            let result = try await postfix.send(
                SMTPMessage(from: "a@example.com", to: ["reject-rcpt@example.org", "ok@example.org"]))
            #expect(result.rcpts.map(\.code) == [550, 250])
            #expect(result.rcpts.first?.text == "5.1.1 cmilter rejects this recipient")
            #expect(result.final?.code == 250)
            #expect(try await postfix.delivered(count: 1).first?.rcptTo == ["<ok@example.org>"])
        }
    }

    @Test func quarantineLandsInTheHoldQueue() async throws {
        guard Interop.require(.postfix, .libmilter) else { return }
        try await Postfix.withCMilter { postfix, _ in
            let result = try await postfix.send(
                SMTPMessage(from: "a@example.com", to: ["b@example.org"], headers: [("X-Test-Action", "quarantine")]))
            #expect(result.final?.code == 250)
            let held = try await postfix.held(count: 1)
            #expect(held.map(\.sender) == ["a@example.com"])
            let queueFile = try await postfix.postcat(queueID: held[0].queueID)
            #expect(queueFile.contains("X-Test-Action: quarantine"))
            #expect(try postfix.sink.messages().isEmpty)
        }
    }

    @Test func modificationsAreVisibleInTheRelayedMessage() async throws {
        guard Interop.require(.postfix, .libmilter) else { return }
        try await Postfix.withCMilter { postfix, _ in
            let message = SMTPMessage(
                from: "a@example.com", to: ["b@example.org", "delete-me@example.org"],
                headers: [
                    ("X-Test-Mod", "addheader insheader chgheader delheader"),
                    ("X-Test-Mod", "addrcpt delrcpt chgfrom replbody"), ("X-Test-Delete", "remove me"),
                ])
            #expect(try await postfix.send(message).final?.code == 250)
            let relayed = try #require(try await postfix.delivered(count: 1).first)
            #expect(relayed.header(named: "X-CMilter-Added") == "added by cmilter")
            #expect(relayed.header(named: "X-CMilter-Inserted") == "inserted by cmilter")
            #expect(relayed.header(named: "Subject") == "changed by cmilter")
            #expect(relayed.header(named: "X-Test-Delete") == nil)
            #expect(relayed.mailFrom == "<changed-from@example.org>")
            #expect(Set(relayed.rcptTo) == ["<b@example.org>", "<added@example.org>"])
            #expect(relayed.body == "Body replaced by cmilter.\n")
        }
    }

    @Test func milterOnIPv6LoopbackSeesEveryMessageOfTheConnection() async throws {
        guard Interop.require(.postfix, .libmilter) else { return }
        try await Postfix.withCMilter(mode: .subject, ipv6: true) { postfix, milter in
            #expect(milter.postfixSpec.hasPrefix("inet:[::1]:"))
            let session = try await postfix.session([
                SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "plain"),
                SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "[tempfail] later"),
                SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "[discard] gone"),
            ])
            #expect(session.results.map { $0.final?.code } == [250, 451, 250])
            #expect(session.results[1].final?.text == "4.7.1 tempfail by subject rule")
            let delivered = try await postfix.delivered(count: 1)
            #expect(delivered.map { $0.header(named: "X-Reference-Milter") } == ["checked"])
            #expect(milter.log().components(separatedBy: "cmilter: eom").count - 1 == 3)
        }
    }
}
