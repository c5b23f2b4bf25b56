import Foundation
import MilterProtocol
import MilterTestSupport
import Testing

/// A milter that negotiates no reply for HELO and drops the connection on HELO is found at MAIL, the next step
/// that awaits a reply; the finding names HELO, sent without a reply before it, in the row, in `--json`
/// (`sentWithoutReply`) and in `--junit`, and the HELO name itself in none of them.
struct SentWithoutReplyFindingTests {
    static let heloName = "helo-name-\(String(repeating: "x", count: 40)).example"

    static func milter() async throws -> ScriptedMilter {
        try await ScriptedMilter(
            script: Scripts.wellBehaved(answer: Scripts.answer(flags: [.noReplyHelo])) { command in
                command.id == .helo ? [.close] : nil
            })
    }

    @Test func theRowNamesHeloSentWithoutReplyBeforeTheFinding() async throws {
        let milter = try await Self.milter()
        let accept = ReplayBinary.fixture("replay/accept.eml")
        let result = try await ReplayBinary.run(
            ["--target", "127.0.0.1:\(milter.port)", "--helo", Self.heloName, accept])
        await milter.stop()
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        let row = try #require(result.stdout.split(separator: "\n").first)
        #expect(row.contains(" at MAIL: "), "\(row)")
        #expect(row.contains("(sent without a reply since the milter's last one: HELO)"), "\(row)")
        #expect(!row.contains(Self.heloName), "\(row)")
    }

    @Test func jsonAndJUnitNameHeloSentWithoutReply() async throws {
        let directory = try Scratch.makeDirectory("sent-without-reply")
        defer { Scratch.remove(directory) }
        let junit = directory.appendingPathComponent("junit.xml").path
        let milter = try await Self.milter()
        let accept = ReplayBinary.fixture("replay/accept.eml")
        let result = try await ReplayBinary.run(
            ["--json", "--junit", junit, "--target", "127.0.0.1:\(milter.port)", "--helo", Self.heloName, accept])
        await milter.stop()
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains(#""type":"message""#) })
        let message = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let findings = try #require(message["findings"] as? [[String: Any]], "\(line)")
        let finding = try #require(findings.first, "\(line)")
        #expect(finding["step"] as? String == "MAIL", "\(line)")
        let sent = try #require(finding["sentWithoutReply"] as? [[String: Any]], "\(line)")
        #expect(sent.count == 1 && sent[0]["command"] as? String == "HELO" && sent[0]["count"] as? Int == 1, "\(line)")
        #expect(finding["sentWithoutReplyMore"] as? Int == 0, "\(line)")
        #expect((finding["description"] as? String)?.hasSuffix("last one: HELO)") == true, "\(line)")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("(sent without a reply since the milter's last one: HELO)"), "\(xml)")
        #expect(!line.contains(Self.heloName) && !xml.contains(Self.heloName))
    }
}
