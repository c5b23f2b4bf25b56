import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

@testable import ReferenceMilter

/// The reference milter driven by the project's fake MTA, which checks every reply against the
/// rules of the MTA it plays: no finding may come up, whatever the verdict or the protocol version.
@Suite(.tags(.integration)) struct MilterClientConformanceTests {
    static let cases: [(String, MilterClient.Verdict)] = [
        ("hello", .accept), ("[reject] x", .reject), ("[tempfail] x", .tempfail), ("[discard] x", .discard),
        ("[quarantine] x", .quarantine),
    ]

    static func message(subject: String) -> MilterMessage {
        let raw = RawMessage(
            parsing: Array(
                "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: \(subject)\r\n\r\nHi\r\n".utf8))
        return MilterMessage(
            sender: EnvelopeAddress(mailbox: "alice@example.com"),
            recipients: [EnvelopeAddress(mailbox: "bob@example.org")],
            content: raw)
    }

    @Test(arguments: ["postfix", "sendmail"], [MilterVersion.v2, .v4, .v6])
    func everyVerdictWithoutFindings(profile: String, version: MilterVersion) async throws {
        let milter = try await startMilter()
        let configuration = MilterClientConfiguration(
            profile: try #require(MTAProfile.named(profile)), version: version)
        let connection = try await MilterClientConnection.open(
            to: .inet(host: "127.0.0.1", port: milter.port), configuration: configuration)
        await connection.connect()
        await connection.helo()
        for (subject, verdict) in Self.cases {
            let result = await connection.send(Self.message(subject: subject))
            #expect(result.verdict == verdict, "\(subject)")
            #expect(result.findings.isEmpty, "\(subject): \(result.findings)")
        }
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()
    }
}
