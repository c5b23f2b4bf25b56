import MilterProtocol
import MilterTestSupport
import Testing

/// A milter that goes away in the middle of a run of the built `milter-replay`: the messages that find no
/// connection are summarised by kind in a few lines, not a line each, and the run exits 3.
@Suite(.timingSensitive) struct TargetDiesTests {
    @Test func aTargetThatDiesMidRunIsSummarisedByKind() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let port = milter.port
        async let replay = ReplayBinary.run(
            [
                "--target", "127.0.0.1:\(port)", "--repeat", "3000", "--connections", "4",
                ReplayBinary.fixture("replay/accept.eml"),
            ], timeout: .seconds(120))
        // Stop listening once some connections were served; those open finish, later ones are refused.
        _ = try await pollUntil("20 connections", timeout: .seconds(60), interval: .milliseconds(5)) {
            milter.commands.filter { $0.id == .optionNegotiation }.count >= 20 ? true : nil
        }
        await milter.stop()
        let result = try await replay
        #expect(result.status == 3, "\(result.stderr)")
        let served = result.stdout.split(separator: "\n").filter { $0.contains("  accept  ") }.count
        // One line per served message, then the summary; each failure kind once, never one line per message.
        let failureRows = (result.stdout + result.stderr).split(separator: "\n").filter {
            $0.contains("connection refused")
        }
        #expect(!failureRows.isEmpty && failureRows.count <= 4, "\(failureRows)")
        // Every message either got a session (most accepted; at most one per connection, 4, cut short
        // when the milter stopped, which is that session's error) or found no connection.
        let failures = try #require(Self.number(after: "connection failures: ", in: result.stdout), "\(result.stdout)")
        let messages = try #require(Self.number(after: "messages: ", in: result.stdout), "\(result.stdout)")
        #expect(messages >= 20 && messages < 3000, "\(messages) messages had a session")
        #expect(messages >= served && messages <= served + 4, "\(result.stdout.suffix(600))")
        #expect(failures == 3000 - messages, "\(result.stdout.suffix(600))")
    }

    /// The number printed right after `label`.
    static func number(after label: String, in text: String) -> Int? {
        guard let range = text.range(of: label) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
