import Foundation
import MilterTestSupport
import Testing

/// `milter-replay record`, the built binary, under `ulimit -n 256`: each proxied connection takes two descriptors,
/// and the default `--max-connections` of 1000 needed 2000. Past the limit, accepting and connecting failed ("too
/// many open files"), some MTAs were left in the listen queue unanswered, and all that long before the limit of
/// connections refused cleanly was reached. Now the default comes down to what the descriptors hold, said once,
/// and a `--max-connections` they cannot hold is a usage error.
@Suite(.tags(.integration)) struct RecordDescriptorLimitTests {
    private static func recorderArguments(port: Int, milterPort: Int, file: String) -> [String] {
        [
            "-c", #"ulimit -n 256 && exec "$0" "$@""#, TestPaths.builtProduct("milter-replay"), "record",
            "--listen", "127.0.0.1:\(port)", "--upstream", "127.0.0.1:\(milterPort)", "--write", file,
        ]
    }

    @Test func aMaxConnectionsTheLimitCannotHoldIsAUsageError() async throws {
        let directory = try Scratch.makeDirectory("record-fd-usage")
        defer { Scratch.remove(directory) }
        let file = directory.appendingPathComponent("x.pcapng").path
        let result = try await ProcessRunner.run(
            "/bin/sh",
            Self.recorderArguments(port: try FreePort.allocate(), milterPort: 9, file: file)
                + ["--max-connections", "1000"],
            timeout: .seconds(30))
        #expect(result.status == 2)
        #expect(result.stderr.contains("--max-connections 1000 needs "), "\(result.stderr)")
        #expect(result.stderr.contains("and the limit is 256: raise it"), "\(result.stderr)")
    }

    /// The default limit is what 256 descriptors hold (N, said on standard error); N + 20 MTAs each send OPTNEG:
    /// N are answered by the milter, 20 are closed at once, none is left waiting, and nothing ran out.
    @Test func theDefaultLimitFitsTheDescriptorsAndTheRestAreRefused() async throws {
        let directory = try Scratch.makeDirectory("record-fd-default")
        defer { Scratch.remove(directory) }
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let port = try FreePort.allocate()
        let recorder = try BackgroundProcess.start(
            "/bin/sh",
            Self.recorderArguments(
                port: port, milterPort: milter.port, file: directory.appendingPathComponent("x.pcapng").path),
            logFile: directory.appendingPathComponent("log"))
        _ = try await pollUntil("the recorder listening", timeout: .seconds(30), interval: .milliseconds(50)) {
            recorder.log().contains("recording: listening") ? true : nil
        }
        let log = recorder.log()
        let words = "milter-replay record: the file descriptor limit (256) holds "
        let held = log.components(separatedBy: words).dropFirst().first?.split(separator: " ").first.flatMap {
            Int($0)
        }
        #expect(held != nil && held! > 16 && held! < 128, "\(log)")
        let count = (held ?? 180) + 20  // 200 without the notice: more than 256 descriptors hold
        let (answered, closed) = try await offPool {
            let clients = try (0..<count).map { _ in try RawTCPClient(port: port) }
            // OPTNEG: version 6, every action and protocol flag.
            let offer: [UInt8] = [0, 0, 0, 13, 0x4F, 0, 0, 0, 6, 0, 0, 0x01, 0xFF, 0, 0x1F, 0xFF, 0xFF]
            for client in clients { client.send(offer) }
            let end = Date().addingTimeInterval(30)
            var waiting = clients
            while !waiting.isEmpty, Date() < end {
                for client in waiting { client.read(waitingUpTo: 10) }
                waiting.removeAll { $0.isClosed || !$0.received.isEmpty }
            }
            return (
                clients.filter { !$0.received.isEmpty }.count,
                clients.filter { $0.isClosed && $0.received.isEmpty }.count
            )
        }
        await recorder.stop(grace: .seconds(20))
        await milter.stop()
        // Without the notice's limit, 120 of 200 were answered and 80 left in the listen queue for the 30 s.
        #expect(answered + closed == count, "of \(count): \(answered) answered, \(closed) closed, the rest waiting")
        #expect(answered == held && closed == 20, "of \(count): \(answered) answered, \(closed) closed")
        #expect(!recorder.log().contains("too many open files"), "\(recorder.log())")
    }
}
