import MilterTestSupport
import Testing

/// `--start "CMD ARGS"` on the built binary: the milter is started, waited for, and stopped; a milter that
/// exits early or never listens is a clear error with exit 3.
@Suite(.tags(.integration)) struct StartOptionTests {
    @Test func aMilterThatExitsEarlyIsReportedWithItsStatusAndOutput() async throws {
        let port = try FreePort.allocate()
        let result = try await ReplayBinary.run([
            "conformance", "--target", "127.0.0.1:\(port)", "--start", "sh -c 'echo cannot bind >&2; exit 7'",
        ])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("exited with status 7 before accepting connections"), "\(result.stderr)")
        #expect(result.stderr.contains("cannot bind"), "\(result.stderr)")
    }

    /// A start command that exits 0 before the milter listens is most often a milter that forked into the background:
    /// the error says so and how to run it, instead of reading as a failure to start.
    @Test func aMilterThatExitsZeroEarlyIsSaidToHaveGoneToTheBackground() async throws {
        let port = try FreePort.allocate()
        let result = try await ReplayBinary.run(["conformance", "--target", "127.0.0.1:\(port)", "--start", "true"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("exited with status 0 before accepting connections"), "\(result.stderr)")
        #expect(
            result.stderr.contains("a milter that puts itself in the background cannot be waited for or stopped"),
            "\(result.stderr)")
    }

    /// The milter's output is shown with its control characters escaped: a terminal escape in it retitled and
    /// cleared the screen of whoever ran the replay.
    @Test func theMiltersOutputIsShownWithItsControlCharactersEscaped() async throws {
        let port = try FreePort.allocate()
        let result = try await ReplayBinary.run([
            "conformance", "--target", "127.0.0.1:\(port)", "--start",
            #"sh -c 'printf "x\033]0;title\007\033[2J\033[31mred\n" >&2; exit 7'"#,
        ])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains(#"  x\x1B]0;title\x07\x1B[2J\x1B[31mred"#), "\(result.stderr)")
        #expect(!result.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(result.stderr)")
    }

    @Test func aMilterThatNeverListensTimesOutAndIsKilled() async throws {
        let port = try FreePort.allocate()
        let result = try await ReplayBinary.run(
            [
                "conformance", "--target", "127.0.0.1:\(port)", "--start", "sleep 600", "--start-timeout", "0.5",
            ], timeout: .seconds(30))
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("127.0.0.1:\(port) within 0.5 s"), "\(result.stderr)")
    }

    /// Another process listening on the target would be judged in the started milter's place (which then fails
    /// to listen): refused before the start.
    @Test func aTargetAlreadyListeningIsRefused() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let port = milter.port
        let result = try await ReplayBinary.run([
            "--target", "127.0.0.1:\(port)", "--start", "sleep 600", "--expect", "accept",
            ReplayBinary.fixture("replay/accept.eml"),
        ])
        await milter.stop()
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stderr.contains("127.0.0.1:\(port) accepts connections before the milter is started"),
            "\(result.stderr)")
        #expect(milter.eventIDs.allSatisfy { $0 == .optionNegotiation }, "no message reached it: \(milter.eventIDs)")
    }

    @Test func startNeedsATarget() async throws {
        let result = try await ReplayBinary.run(["conformance", "--start", "true"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--start needs --target"), "\(result.stderr)")
    }

    /// `scenario` takes --start too: a catalogue file against the reference milter daemon.
    @Test func scenarioStartsTheMilter() async throws {
        let port = try FreePort.allocate()
        let result = try await ReplayBinary.run(
            [
                "scenario", "--target", "127.0.0.1:\(port)",
                "--start", "\(ConformanceBinaryTests.referenceMilter) daemon 127.0.0.1:\(port) --handshake-timeout 120",
                TestPaths.root.appendingPathComponent("conformance/abort.yaml").path,
            ], timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("pass 9"), "\(result.stdout)")
        #expect(!FreePort.canConnect(host: "127.0.0.1", port: port))
    }

    /// `.eml` replay takes --start too: the reference milter daemon is started, judged, and stopped.
    @Test func emlReplayStartsTheMilter() async throws {
        let port = try FreePort.allocate()
        let result = try await ReplayBinary.run(
            [
                "--target", "127.0.0.1:\(port)", "--expect", "accept",
                "--start", "\(ConformanceBinaryTests.referenceMilter) daemon 127.0.0.1:\(port) --handshake-timeout 120",
                ReplayBinary.fixture("replay/accept.eml"),
            ], timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(!FreePort.canConnect(host: "127.0.0.1", port: port))
    }
}
