import MilterProtocol
import MilterTestSupport
import Testing

/// A milter that goes away in the middle of a run of the built `milter-replay`: the messages that find no
/// connection are summarised by kind in a few lines, not a line each, and the run exits 3.
@Suite(.timingSensitive) struct TargetDiesTests {
    @Test func aTargetThatDiesMidRunIsSummarisedByKind() async throws {
        // The first 20 connections are served; the later ones wait, unanswered, until the milter stops. (Served
        // all along, a run the test was too starved to stop in time ended whole: 3000 messages, no failure.)
        let negotiations = ScriptCounter()
        let stopped = ScriptCounter()
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved(override: { command in
                guard case .optionNegotiation = command, negotiations.increment() > Self.served else { return nil }
                return [.waitFor(stopped, reaching: 1)]
            }))
        let port = milter.port
        async let replay = ReplayBinary.run(
            [
                "--target", "127.0.0.1:\(port)", "--repeat", "3000", "--connections", "4", "--timeout", "3600",
                ReplayBinary.fixture("replay/accept.eml"),
            ], timeout: .seconds(600))
        // Stop listening once the served sessions have ended (QUIT) and the next wait; those waiting are closed,
        // later connections are refused.
        _ = try await pollUntil("\(Self.served) sessions served", timeout: .seconds(300), interval: .milliseconds(5)) {
            negotiations.value > Self.served && milter.eventIDs.count(where: { $0 == .quit }) == Self.served
                ? true : nil
        }
        await milter.stop(grace: .zero)
        stopped.increment()
        let result = try await replay
        #expect(result.status == 3, "\(result.stderr)")
        let served = result.stdout.split(separator: "\n").filter { $0.contains("  accept  ") }.count
        #expect(served == Self.served, "\(result.stdout.suffix(600))")
        // One line per served message, then the summary; each failure kind once, never one line per message.
        let failureRows = (result.stdout + result.stderr).split(separator: "\n").filter {
            $0.contains("connection refused")
        }
        #expect(!failureRows.isEmpty && failureRows.count <= 4, "\(failureRows)")
        // Every message either got a session (accepted, or, at most one per connection, 4, left waiting for the
        // OPTNEG reply and cut short when the milter stopped, which is that session's error) or found no connection.
        let failures = try #require(Self.number(after: "connection failures: ", in: result.stdout), "\(result.stdout)")
        let messages = try #require(Self.number(after: "messages: ", in: result.stdout), "\(result.stdout)")
        #expect(messages >= served && messages <= served + 4, "\(result.stdout.suffix(600))")
        #expect(failures == 3000 - messages, "\(result.stdout.suffix(600))")
    }

    /// The connections the milter serves before it stops.
    static let served = 20

    /// The number printed right after `label`.
    static func number(after label: String, in text: String) -> Int? {
        guard let range = text.range(of: label) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
