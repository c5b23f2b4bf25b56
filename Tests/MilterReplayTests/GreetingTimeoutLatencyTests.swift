import Foundation
import MilterTestSupport
import Testing

/// A message whose milter connection fails before MAIL (no reply to OPTNEG within the timeout) waited for that
/// whole timeout: its latency counts from when its connection began to open, not from a MAIL never sent.
@Suite struct GreetingTimeoutLatencyTests {
    @Test(arguments: [[], ["--threads", "1"]])
    func aMessageWaitsForTheGreetingThatTimedOut(engine: [String]) async throws {
        let milter = try await ScriptedMilter { _ in [] }  // never answers
        let result = try await ReplayBinary.run(
            ["--target", "127.0.0.1:\(milter.port)", "--timeout", "0.5", "--json"] + engine
                + [ReplayBinary.fixture("eml/plain-lf.eml")])
        await milter.stop(grace: .zero)
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains(#""type":"message""#) })
        #expect(line.contains(#""step":"OPTNEG""#), "\(line)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        let latency = try #require(object["latencyMs"] as? Double)
        // At least the reply timeout it waited for: a lower bound the timeout sets, not a measure of speed.
        #expect(latency >= 500, "\(line)")
    }
}
