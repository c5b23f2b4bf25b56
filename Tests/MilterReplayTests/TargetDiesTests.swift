import MilterProtocol
import MilterTestSupport
import Testing

/// A milter that goes away in the middle of a run of the built `milter-replay`: the messages that find no
/// connection are summarised by kind in a few lines, not a line each, and the run exits 3.
struct TargetDiesTests {
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
        #expect(served >= 20 && served < 3000, "\(served) messages served")
        // One line per served message, then the summary; each failure kind once, never one line per message.
        let failureRows = (result.stdout + result.stderr).split(separator: "\n").filter {
            $0.contains("connection refused")
        }
        #expect(!failureRows.isEmpty && failureRows.count <= 4, "\(failureRows)")
        let summary = try #require(result.stdout.range(of: "connection failures: "), "\(result.stdout)")
        let count = Int(result.stdout[summary.upperBound...].prefix { $0.isNumber }) ?? 0
        #expect(count == 3000 - served, "\(result.stdout.suffix(600))")
        #expect(result.stdout.contains("messages: \(served)"), "\(result.stdout.suffix(600))")
    }
}
