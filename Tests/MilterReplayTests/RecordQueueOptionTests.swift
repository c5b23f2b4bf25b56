import Foundation
import MilterTestSupport
import Testing

/// `milter-replay record --max-queued-bytes`: the bytes of capture that may wait for the disk, 1 MiB to 1 GiB,
/// 16 MiB by default; a number outside is a usage error that names the range, and the help gives the default.
@Suite(.tags(.integration)) struct RecordQueueOptionTests {
    static func record(_ extra: [String]) -> [String] {
        ["record", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--write", "/tmp/x"] + extra
    }

    @Test(arguments: ["0", "-1", "1048575", "1073741825", "9223372036854775807"])
    func aQueueOutsideTheRangeIsAUsageError(value: String) async throws {
        let result = try await ReplayBinary.run(Self.record(["--max-queued-bytes", value]), timeout: .seconds(20))
        #expect(result.status == 2, "\(value): \(result.stderr)")
        #expect(
            result.stderr.contains("--max-queued-bytes must be from 1048576 to 1073741824; got \(value)"),
            "\(value): \(result.stderr)")
    }

    @Test func theHelpGivesTheOptionAndItsDefault() async throws {
        let text = try await ReplayBinary.run(["record", "--help"]).check("milter-replay record --help").stdout
        let help = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("--max-queued-bytes"), "\(help)")
        #expect(help.contains("1048576 to 1073741824"), "\(help)")
        #expect(help.contains("(default: 16777216)"), "\(help)")
    }

    /// A value in the range is taken: the recorder starts, and stops at SIGTERM with its summary.
    @Test func aQueueInTheRangeIsTaken() async throws {
        let directory = try Scratch.makeDirectory("record-queue")
        defer { Scratch.remove(directory) }
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        defer { Task { await milter.stop() } }
        let file = directory.appendingPathComponent("recorded.pcapng").path
        let process = try BackgroundProcess.start(
            TestPaths.builtProduct("milter-replay"),
            [
                "record", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:\(milter.port)", "--write", file,
                "--max-queued-bytes", "1048576",
            ],
            logFile: directory.appendingPathComponent("log"))
        _ = try await pollUntil("the recorder listening", timeout: .seconds(30), interval: .milliseconds(50)) {
            process.log().contains("recording: listening") ? true : nil
        }
        await process.stop(grace: .seconds(20))
        #expect(process.log().contains("wrote 0 connections"), "\(process.log())")
    }
}
