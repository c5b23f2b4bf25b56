import Foundation
import MilterProtocol
import MilterTestSupport
import Testing

/// What the built `milter-replay` prints per message: the modifications themselves (shortened on a row, whole
/// in JSON), every documented JSON key (null included), a queue ID of its own per message, control characters
/// escaped, and a warning for an envelope made up because the file gives none.
struct ResultRowTests {
    /// A value past the row's 40 bytes, ending in a terminal's "set title" sequence.
    static let longValue = String(repeating: "a", count: 60) + "\u{1B}]0;pwned\u{07}"

    /// A milter that adds `X-Long: longValue` to every message and accepts it.
    static func headerAddingMilter() async throws -> ScriptedMilter {
        let header = HeaderField(name: "X-Long", value: MilterString(longValue))
        return try await ScriptedMilter(
            script: Scripts.wellBehaved(endOfMessage: [.reply(.addHeader(header)), .reply(.accept)]))
    }

    static func json(_ line: Substring) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func aRowShowsTheModificationShortenedAndJSONWhole() async throws {
        let milter = try await Self.headerAddingMilter()
        let accept = ReplayBinary.fixture("replay/accept.eml")
        let text = try await ReplayBinary.run(["--target", "127.0.0.1:\(milter.port)", accept])
        let json = try await ReplayBinary.run(["--json", "--target", "127.0.0.1:\(milter.port)", accept])
        await milter.stop()
        #expect(text.status == 0, "\(text.stderr)")
        let row = try #require(text.stdout.split(separator: "\n").first)
        #expect(row.contains(#"ADDHEADER name="X-Long" value="\#(String(repeating: "a", count: 40))"..."#), "\(row)")
        #expect(!row.contains("mods="))
        #expect(!text.stdout.contains("\u{1B}") && !text.stdout.contains("\u{07}"))

        let message = try Self.json(try #require(json.stdout.split(separator: "\n").first))
        let whole = #"ADDHEADER name="X-Long" value="\#(String(repeating: "a", count: 60))\x1b]0;pwned\x07""#
        #expect(message["modifications"] as? [String] == [whole])
        for key in ["reply", "quarantine", "error", "resultingMessage"] {
            #expect(message.keys.contains(key) && message[key] is NSNull, "\(key): \(message)")
        }
        #expect((message["queueId"] as? String)?.hasPrefix("4") == true)
    }

    /// Every message gets its own queue ID, across connections and within one, in the JSON and on the rows.
    @Test func queueIDsAreUniquePerMessage() async throws {
        let accept = ReplayBinary.fixture("replay/accept.eml")
        let common = ["--repeat", "300", "--connections", "4", "--messages-per-connection", "7", accept]
        let json = try await ReplayBinary.run(["--json"] + common, timeout: .seconds(120))
        #expect(json.status == 0, "\(json.stderr)")
        let ids = try json.stdout.split(separator: "\n").map(Self.json).compactMap { $0["queueId"] as? String }
        #expect(ids.count == 300)
        #expect(Set(ids).count == 300)
        let text = try await ReplayBinary.run(common, timeout: .seconds(120))
        let rowIDs = text.stdout.split(separator: "\n").compactMap { row in
            row.components(separatedBy: "  id ").dropFirst().first
        }
        #expect(rowIDs.count == 300 && Set(rowIDs).count == 300)
    }

    @Test func anEnvelopeMadeUpForAFileWithoutHeadersIsWarnedAbout() async throws {
        let directory = try Scratch.makeDirectory("envelope")
        defer { Scratch.remove(directory) }
        let empty = directory.appendingPathComponent("empty.eml").path
        let bodyOnly = directory.appendingPathComponent("body-only.eml").path
        try TemporaryFile.write([], to: empty)
        try TemporaryFile.write(Array("just a body\r\n".utf8), to: bodyOnly)
        let result = try await ReplayBinary.run(["--quiet", empty, bodyOnly])
        #expect(result.status == 0, "\(result.stderr)")
        for path in [empty, bodyOnly] {
            #expect(
                result.stderr.contains(
                    "warning: \(path): no header fields: sent with MAIL FROM:<> and RCPT TO:<postmaster@example.test>"),
                "\(result.stderr)")
        }
        let given = try await ReplayBinary.run(["--quiet", "--from", "a@example.org", "--rcpt", "b@example.org", empty])
        #expect(!given.stderr.contains("warning"), "\(given.stderr)")
    }

    @Test func showMessageEscapesControlCharacters() async throws {
        let directory = try Scratch.makeDirectory("escape")
        defer { Scratch.remove(directory) }
        let path = directory.appendingPathComponent("title.eml").path
        let text = "From: a@example.org\r\nTo: b@example.org\r\nSubject: \u{1B}]0;pwned\u{07}\r\n\r\nHi\u{1B}[2J\r\n"
        try TemporaryFile.write(Array(text.utf8), to: path)
        let result = try await ReplayBinary.run(["--show-message", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("\u{1B}") && !result.stdout.contains("\u{07}"))
        #expect(result.stdout.contains(#"    | Subject: \x1B]0;pwned\x07"#), "\(result.stdout)")
        #expect(result.stdout.contains(#"    | Hi\x1B[2J"#), "\(result.stdout)")
    }

    /// A multi-line REPLYCODE stays on its message's row: CR and LF both escaped; JSON keeps the text whole.
    @Test func aMultiLineReplyStaysOnOneRow() async throws {
        let text = "550-5.7.1 first line\r\n550 5.7.1 second line"
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved(endOfMessage: [.reply(.replyCode(MilterString(text)))]))
        let accept = ReplayBinary.fixture("replay/accept.eml")
        let result = try await ReplayBinary.run(["--target", "127.0.0.1:\(milter.port)", accept])
        let json = try await ReplayBinary.run(["--json", "--target", "127.0.0.1:\(milter.port)", accept])
        await milter.stop()
        let rows = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        try #require(!rows.isEmpty)
        #expect(rows[0].hasPrefix("\(accept)  reject  "), "\(result.stdout)")
        #expect(rows[0].contains(#""550-5.7.1 first line\r\n550 5.7.1 second line""#), "\(rows[0])")
        #expect(rows[1].isEmpty, "the row is cut: \(result.stdout)")
        let message = try Self.json(try #require(json.stdout.split(separator: "\n").first))
        #expect(message["reply"] as? String == text)
    }
}
