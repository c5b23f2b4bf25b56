import Foundation
import MilterTestSupport
import Testing

/// `reference-milter daemon` with a `NOTIFY_SOCKET` whose receiver never reads: the notifications it cannot queue
/// are dropped, never waited for. Its sends blocked once the kernel's queue of datagrams was full (10 by
/// default: READY=1 at start, then RELOADING=1 and READY=1 a reload), so the sixth SIGHUP never reloaded and the
/// daemon no longer stopped on SIGTERM.
@Suite("reference-milter daemon: a NOTIFY_SOCKET that is not read", .timeLimit(.minutes(3)))
struct DaemonNotifySocketTests {
    @Test func reloadsAndStopsWhateverTheNotifySocketsQueue() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = directory.appendingPathComponent("rules").path
        try "always => accept\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let notifyPath = directory.appendingPathComponent("n").path
        let receiver = try Self.boundDatagramSocket(notifyPath)
        defer { close(receiver) }
        let logPath = directory.appendingPathComponent("log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        func count(_ text: String) -> Int {
            ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").components(separatedBy: text).count - 1
        }
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notifyPath
        let process = try ChildProcess(
            ProxyProcess.binary("reference-milter"),
            ["daemon", "unix:\(directory.appendingPathComponent("s").path)", "--config", rules],
            environment: environment, input: FileHandle.nullDevice, output: FileHandle.nullDevice,
            errors: try FileHandle(forWritingTo: URL(fileURLWithPath: logPath)))
        try await process.stopping(grace: .seconds(10)) {
            _ = try await pollUntil("listening", timeout: .seconds(30)) { count("listening") == 1 ? true : nil }
            for reload in 1...12 {
                process.signal(SIGHUP)
                _ = try await pollUntil("reload \(reload)", timeout: .seconds(30)) {
                    count("reloaded") >= reload ? true : nil
                }
            }
            process.signal(SIGTERM)
            #expect(await process.exit(within: .seconds(30)), "no exit within 30 s of SIGTERM")
        }
        // What was queued is what the daemon said first.
        var buffer = [UInt8](repeating: 0, count: 256)
        let first = recv(receiver, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        #expect(first > 0 && String(decoding: buffer[0..<first], as: UTF8.self) == "READY=1")
    }

    /// A unix datagram socket bound at `path`, never read by the test (``ProxyNotifyStatusTests`` reads its own).
    static func boundDatagramSocket(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            throw HarnessError("bind \(path) failed")
        }
        return fd
    }
}
