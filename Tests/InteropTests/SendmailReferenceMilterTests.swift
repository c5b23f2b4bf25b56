import Foundation
import Testing

/// Real Sendmail 8.17 with INPUT_MAIL_FILTER in front of `reference-milter daemon` driven by a rules file: the
/// verdicts reach the SMTP client and the modifications the delivered mail.
@Suite("Sendmail + reference-milter daemon")
struct SendmailReferenceMilterTests {
    static let rules = """
        subject contains "[reject]" => reject "550 5.7.1 refused by the rules file"
        subject contains "[tempfail]" => tempfail "451 4.7.1 try again later"
        always => add-header "X-Rules-File" "sendmail", accept
        """

    @Test func verdictsAndAnAddedHeaderThroughSendmail() async throws {
        guard Interop.require(.sendmail) else { return }
        try await ReferenceMilterDaemon.with(rules: Self.rules) { milter in
            try await Sendmail.with(milters: [milter.sendmailSpec]) { sendmail in
                let rejected = try await sendmail.send(
                    SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "[reject] cheap pills"))
                #expect(rejected.final?.code == 550, "\(rejected)")
                #expect(rejected.final?.text == "5.7.1 refused by the rules file", "\(rejected)")
                let deferred = try await sendmail.send(
                    SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "[tempfail] later"))
                #expect(deferred.final?.code == 451, "\(deferred)")
                let accepted = try await sendmail.send(
                    SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "hello"))
                #expect(accepted.final?.code == 250, "\(accepted)")
                let delivered = try await sendmail.delivered(count: 1)
                #expect(delivered.count == 1)
                #expect(delivered.first?.header(named: "X-Rules-File") == "sendmail")
                // HDR_LEADSPC agreed: the value brings the one space after the colon, and Sendmail adds none.
                let raw = delivered.first?.raw.replacingOccurrences(of: "\r\n", with: "\n") ?? ""
                let line = raw.split(separator: "\n").first { $0.hasPrefix("X-Rules-File:") }
                #expect(line == "X-Rules-File: sendmail", "\(raw)")
                #expect(delivered.first?.header(named: "Subject") == "hello")
            }
        }
    }
}
