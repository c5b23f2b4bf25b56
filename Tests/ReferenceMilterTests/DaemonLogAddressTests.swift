import Foundation
import MilterTestSupport
import Testing

/// The daemon's startup lines say where it listens as an operator writes an address (`127.0.0.1:7044`,
/// `[::1]:9145`), with the port the kernel gave when port 0 was asked for.
@Suite(.tags(.integration)) struct DaemonLogAddressTests {
    @Test func listenerAndMetricsLinesShowTheBoundPort() async throws {
        let directory = try Scratch.makeDirectory("daemon-address")
        defer { Scratch.remove(directory) }
        let log = directory.appendingPathComponent("log").path
        try TemporaryFile.write([], to: log)
        let child = try ChildProcess(
            DaemonTests.binary,
            ["daemon", "127.0.0.1:0", "--metrics", "[::1]:0", "--log-format", "json", "--drain-timeout", "0"],
            environment: DaemonTests.cleanEnvironment, input: FileHandle.nullDevice, output: FileHandle.nullDevice,
            errors: try FileHandle(forWritingTo: URL(fileURLWithPath: log)))
        defer { if child.isRunning { child.killAndReap() } }
        let lines = try await pollUntil("both startup lines", timeout: .seconds(30)) { () -> [String: String]? in
            let found = Self.addresses(String(decoding: TemporaryFile.read(log) ?? [], as: UTF8.self))
            return found.count == 2 ? found : nil
        }
        let listening = try #require(lines["listening"])
        let metrics = try #require(lines["serving metrics"])
        let milterPort = try #require(Int(listening.dropFirst("127.0.0.1:".count)), "\(listening)")
        let metricsPort = try #require(Int(metrics.dropFirst("[::1]:".count)), "\(metrics)")
        #expect(listening.hasPrefix("127.0.0.1:") && milterPort > 0, "\(listening)")
        #expect(metrics.hasPrefix("[::1]:") && metricsPort > 0, "\(metrics)")
        #expect(FreePort.canConnect(host: "127.0.0.1", port: milterPort))
        #expect(FreePort.canConnect(host: "::1", port: metricsPort))
        kill(child.pid, SIGTERM)
        #expect(try await offPool { child.waitForExit(timeout: .seconds(30)) })
    }

    /// The `address` of each JSON log line, by message.
    static func addresses(_ text: String) -> [String: String] {
        var found: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let message = object["message"] as? String, let address = object["address"] as? String
            else { continue }
            found[message] = address
        }
        return found
    }
}
