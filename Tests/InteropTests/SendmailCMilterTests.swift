import Foundation
import Testing

/// Real Sendmail 8.17 driving the libmilter cmilter: the second MTA profile's peer.
@Suite("Sendmail + libmilter cmilter")
struct SendmailCMilterTests {
    @Test func rejectsAtRcptAndEOMAndEditsHeaders() async throws {
        guard Interop.require(.sendmail, .libmilter) else { return }
        try await CMilter.with { milter in
            try await Sendmail.with(milters: [milter.sendmailSpec]) { sendmail in
                let rejected = try await sendmail.send(
                    SMTPMessage(
                        from: "a@example.com", to: ["reject-rcpt@example.org", "ok@example.org"],
                        headers: [("X-Test-Action", "replycode 550 5.7.1 sendmail relays this")]))
                #expect(rejected.rcpts.map(\.code) == [550, 250])
                #expect(rejected.final?.description == "550 5.7.1 sendmail relays this")
                let accepted = try await sendmail.send(
                    SMTPMessage(from: "a@example.com", to: ["ok@example.org"], headers: [("X-Test-Mod", "addheader")]))
                #expect(accepted.final?.code == 250)
                let relayed = try #require(try await sendmail.delivered(count: 1).first)
                #expect(relayed.header(named: "X-CMilter-Added") == "added by cmilter")
            }
        }
    }
}
