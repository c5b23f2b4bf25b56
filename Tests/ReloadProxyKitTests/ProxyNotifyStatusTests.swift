import Foundation
import MilterTestSupport
import Testing

/// reload-proxy under `Type=notify`: a reload that fails says so in `STATUS=`, which `systemctl status` shows, and
/// the next good reload clears it. Its READY=1 alone, sent to end the reloading state, read as a success.
@Suite("reload-proxy: STATUS= on a failed reload", .timeLimit(.minutes(3)))
struct ProxyNotifyStatusTests {
    @Test func aFailedReloadSetsTheStatusAndTheNextReadyClearsIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let notifyPath = directory.appendingPathComponent("n").path
        let receiver = try DaemonNotifySocketTests.boundDatagramSocket(notifyPath)
        defer { close(receiver) }
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notifyPath
        try await ProxyProcess.with(environment: environment) { proxy in
            var states: [String] = []
            try proxy.writeBrokenRules()
            proxy.signal(SIGHUP)
            let failed = try await Self.state(from: receiver, into: &states) {
                $0.hasPrefix("READY=1\nSTATUS=reload failed (new child ")
            }
            #expect(failed.contains(" exited with status 2 before it was ready); the old daemon, child "), "\(failed)")
            #expect(failed.hasSuffix(", keeps serving"), "\(failed)")
            try proxy.writeRules(generation: 1)
            proxy.signal(SIGHUP)
            _ = try await Self.state(from: receiver, into: &states) { $0 == "READY=1\nSTATUS=" }
            #expect(await MilterSessions.run(proxy.socketPath).generation == "1")
        }
    }

    /// Reads the datagrams on `socket` into `states` (the kernel queues 10 at most: they are read as they come)
    /// until one satisfies `match`, which it returns; fails after 60 s.
    static func state(
        from socket: Int32, into states: inout [String], _ match: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let new = received(socket)
            states += new
            if let found = new.first(where: match) { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProxyTestError("no such notification within 60 s; received \(states)")
    }

    /// The datagrams waiting on `socket`, without blocking.
    static func received(_ socket: Int32) -> [String] {
        var states: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while case let count = recv(socket, &buffer, buffer.count, Int32(MSG_DONTWAIT)), count > 0 {
            states.append(String(decoding: buffer[0..<count], as: UTF8.self))
        }
        return states
    }
}
