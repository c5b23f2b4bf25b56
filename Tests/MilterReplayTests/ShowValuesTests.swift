import Foundation
import MilterProtocol
import MilterTestSupport
import Testing

/// `replay --show-values`: the refusal Sendmail writes with the sender's address (`usrerr`'s `<address>... `)
/// reaches the row, the JSON, the JUnit report (its row and the failed expectation) and the HTML report (the
/// mismatch) shape-redacted by default, and as it is with the flag.
struct ShowValuesTests {
    static let sent = "<alice@example.org>... sender refused"

    /// A milter refusing every MAIL with a REPLYCODE that names no address: Sendmail adds it.
    static func refusingMilter() async throws -> ScriptedMilter {
        try await ScriptedMilter(
            script: Scripts.wellBehaved { $0.id == .mail ? [.reply(.replyCode("550 5.7.1 sender refused"))] : nil })
    }

    /// The outputs of one run: standard output, the JUnit report and the HTML report.
    static func run(_ milter: ScriptedMilter, json: Bool, showValues: Bool) async throws -> [String] {
        let directory = try Scratch.makeDirectory("show-values")
        defer { Scratch.remove(directory) }
        let message = directory.appendingPathComponent("msg.eml")
        try FileManager.default.copyItem(atPath: ReplayBinary.fixture("replay/accept.eml"), toPath: message.path)
        let manifest = directory.appendingPathComponent("m.manifest")
        try #"msg.eml reject reply-text="welcome""#.write(to: manifest, atomically: true, encoding: .utf8)
        let junit = directory.appendingPathComponent("junit.xml").path
        let report = directory.appendingPathComponent("report.html").path
        let result = try await ReplayBinary.run(
            ["--target", "127.0.0.1:\(milter.port)", "--mta", "sendmail", "--manifest", manifest.path]
                + ["--junit", junit, "--report", report, message.path] + (json ? ["--json"] : [])
                + (showValues ? ["--show-values"] : []))
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        return [
            result.stdout, try String(contentsOfFile: junit, encoding: .utf8),
            try String(contentsOfFile: report, encoding: .utf8),
        ]
    }

    @Test func theSendersAddressIsRedactedInEveryOutputByDefault() async throws {
        let milter = try await Self.refusingMilter()
        let text = try await Self.run(milter, json: false, showValues: false)
        let json = try await Self.run(milter, json: true, showValues: false)
        await milter.stop()
        for output in text + json { #expect(!output.contains("alice@example.org"), "\(output)") }
        #expect(text[0].contains(#""550 5.7.1 <xxxxx@xxxxxxx.xxx>... sender refused""#), "\(text[0])")
        #expect(json[0].contains(#""reply":"550 5.7.1 <xxxxx@xxxxxxx.xxx>... sender refused""#), "\(json[0])")
    }

    @Test func showValuesShowsItInEveryOutput() async throws {
        let milter = try await Self.refusingMilter()
        let text = try await Self.run(milter, json: false, showValues: true)
        let json = try await Self.run(milter, json: true, showValues: true)
        await milter.stop()
        #expect(text[0].contains("\"550 5.7.1 \(Self.sent)\""), "\(text[0])")
        #expect(text[0].contains("reply text: expected 'welcome', got '\(Self.sent)'"), "\(text[0])")
        #expect(json[0].contains("\"reply\":\"550 5.7.1 \(Self.sent)\""), "\(json[0])")
        let escaped = "got '&lt;alice@example.org&gt;... sender refused'"
        for xml in [text[1], json[1]] {
            // The failed expectation and the row.
            #expect(xml.contains("<failure message=\"reply text: expected 'welcome', \(escaped)\"/>"), "\(xml)")
            #expect(xml.contains("&quot;550 5.7.1 &lt;alice@example.org&gt;... sender refused&quot;"), "\(xml)")
        }
        for html in [text[2], json[2]] {
            #expect(html.contains("got &#39;&lt;alice@example.org&gt;... sender refused&#39;"), "\(html)")
        }
    }

    /// A capture replayed through the Sendmail profile: the MTA's refusal of MAIL quotes the recorded sender as
    /// `usrerr` does, and the steps it left unsent say so, the address redacted unless values are shown.
    @Test(arguments: [false, true])
    func aReplayedCapturesRefusalQuotesTheRecordedSender(showValues: Bool) async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved { $0.id == .mail ? [.reply(.reject)] : nil })
        let result = try await ReplayBinary.run(
            ["--pcap", ReplayBinary.fixture("pcap/sendmail-cmilter-lo.pcap"), "--mta", "sendmail"]
                + ["--target", "127.0.0.1:\(milter.port)"] + (showValues ? ["--show-values"] : []))
        await milter.stop()
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        let address = showValues ? "<sender@example.com>" : "<xxxxxx@xxxxxxx.xxx>"
        let unsent = #"now:      not sent (the MTA answers "550 5.7.1 \#(address)... Command rejected")"#
        #expect(result.stdout.contains(unsent), "\(result.stdout)")
        #expect(result.stdout.contains("sender@example.com") == showValues, "\(result.stdout)")
    }

    @Test func replayHelpDocumentsTheFlag() async throws {
        let text = try await ReplayBinary.run(["replay", "--help"]).check("milter-replay replay --help").stdout
        let help = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("--show-values Show the envelope addresses in replies"), "\(help)")
    }
}
