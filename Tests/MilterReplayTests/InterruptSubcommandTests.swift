import Foundation
import MilterTestSupport
import Testing

/// SIGINT and SIGTERM during `conformance` and `scenario`: the run stops starting cases, prints its JSON with
/// `interrupted`, and exits with 128 + the signal. Without ``RunInterruption`` installed, the signal's default
/// action ended the process at once, with no JSON.
@Suite(.tags(.integration)) struct InterruptSubcommandTests {
    /// `conformance --json` against a milter slow at end of message, interrupted while the first end of message is
    /// held: the milter answers it only once the signal is sent, so the run cannot end before the signal however long
    /// the test is kept from running (a loaded CI machine starved it for over 30 s).
    @Test func sigintStopsAConformanceRunWithItsJSON() async throws {
        let directory = try Scratch.makeDirectory("interrupt-conformance")
        defer { Scratch.remove(directory) }
        let list = try await ReplayBinary.run(["conformance", "--list", "--json"])
        let catalogue = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any]
        let all = try #require((catalogue?["cases"] as? [Any])?.count, "\(list.stdout)")
        let signalled = ScriptCounter()
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved(override: { command in
                guard case .endOfMessage = command else { return nil }
                return [.waitFor(signalled, reaching: 1), .pause(.milliseconds(500)), .reply(.accept)]
            }))
        let (child, output) = try InterruptTests.start(
            ["conformance", "--target", "127.0.0.1:\(milter.port)", "--json"], in: directory)
        defer { child.killAndReap() }
        try await waitUntil { milter.eventIDs.contains(.endOfMessage) }
        let (exited, stdout, stderr) = await InterruptTests.interrupt(
            child, with: SIGINT, output: output, stopping: milter, releasing: signalled)
        #expect(exited)
        #expect(child.termination == .exited(130), "\(stdout)\n\(stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
        let interrupted = try #require(
            (json?["interrupted"] ?? (json?["summary"] as? [String: Any])?["interrupted"]) as? [String: Any],
            "\(stdout)")
        #expect(interrupted["signal"] as? String == "SIGINT", "\(interrupted)")
        #expect((interrupted["notStarted"] as? Int ?? 0) > 0, "\(interrupted)")
        let cases = (json?["cases"] as? [Any])?.count ?? 0
        #expect(cases < all, "\(cases) of \(all) cases")
        #expect(stderr.contains("interrupted by SIGINT"), "\(stderr)")
    }

    /// `scenario FILE --json` with 30 scenarios of about a second each, against a milter slow at end of message:
    /// SIGTERM while the first end of message is held (the milter answers it only once the signal is sent). A fixed
    /// count of scenarios was not enough: a loaded CI machine starved the test for 8 s, then for over 30 s, between
    /// the first message and the signal, and every scenario had run.
    static let scenarioCount = 30

    @Test func sigtermStopsAScenarioRunWithItsJSON() async throws {
        let directory = try Scratch.makeDirectory("interrupt-scenario")
        defer { Scratch.remove(directory) }
        let file = directory.appendingPathComponent("many.yaml")
        try (1...Self.scenarioCount).map {
            "id: slow.\($0)\nsteps:\n  - message: {from: a@example.org, to: b@example.org}\n"
        }
        .joined(separator: "---\n").write(to: file, atomically: true, encoding: .utf8)
        let signalled = ScriptCounter()
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved(override: { command in
                guard case .endOfMessage = command else { return nil }
                return [.waitFor(signalled, reaching: 1), .pause(.seconds(1)), .reply(.accept)]
            }))
        let (child, output) = try InterruptTests.start(
            ["scenario", file.path, "--target", "127.0.0.1:\(milter.port)", "--json"], in: directory)
        defer { child.killAndReap() }
        try await waitUntil { milter.eventIDs.contains(.endOfMessage) }
        let (exited, stdout, stderr) = await InterruptTests.interrupt(
            child, with: SIGTERM, output: output, stopping: milter, releasing: signalled)
        #expect(exited)
        #expect(child.termination == .exited(143), "\(stdout)\n\(stderr)")
        #expect(stdout.contains(#""interrupted":{"#), "\(stdout)")
        #expect(stdout.contains(#""signal":"SIGTERM""#), "\(stdout)")
        #expect(stdout.split(separator: "\n").count < Self.scenarioCount + 1, "every scenario ran: \(stdout)")
        #expect(stderr.contains("interrupted by SIGTERM"), "\(stderr)")
    }
}
