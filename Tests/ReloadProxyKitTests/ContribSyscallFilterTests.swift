import Foundation
import MilterTestSupport
import Testing

/// The services' command (reload-proxy and its daemon, as their ExecStart has them, listening on a port instead of
/// the socket unit's) runs under the system call filter of contrib/systemd's services, applied as systemd applies it
/// (by `interop/seccomp/unit-syscall-filter.py`, without systemd as PID 1): it serves the .eml corpus before and
/// after a reload (SIGHUP: a new daemon started), and stops cleanly on SIGTERM. The units denied `@resources` with
/// systemd's default action, which kills the process: the daemon's Dispatch worker threads call `setpriority`, so
/// each daemon died with SIGSYS at start-up and reload-proxy gave up (exit 3), which `systemd-analyze verify`
/// (``ContribUnitTests``) could not see.
@Suite("contrib/systemd system call filter", .tags(.integration))
struct ContribSyscallFilterTests {
    static let python = "/usr/bin/python3"
    static let analyzer = "/usr/bin/systemd-analyze"

    @Test(arguments: ["reference-milter.service", "reference-milter-notify.service"])
    func theDaemonRunsUnderTheUnitsFilter(service: String) async throws {
        guard try await Self.canFilter() else { return }
        let directory = try Scratch.makeDirectory("syscall-filter")
        defer { Scratch.remove(directory) }
        let port = try FreePort.allocate()
        let log = directory.appendingPathComponent("proxy.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let wrapper = TestPaths.root.appendingPathComponent("interop/seccomp/unit-syscall-filter.py").path
        let unit = TestPaths.root.appendingPathComponent("contrib/systemd/\(service)").path
        let proxy = try ChildProcess(
            Self.python,
            [
                wrapper, "--soft-nofile", "1024", unit, TestPaths.builtProduct("reload-proxy"), "--listen",
                "127.0.0.1:\(port)",
                "--stop-timeout", "20", "--", TestPaths.builtProduct("reference-milter"), "daemon", "--drain-timeout",
                "15",
            ],
            input: FileHandle.nullDevice, output: try FileHandle(forWritingTo: log),
            errors: try FileHandle(forWritingTo: log))
        defer { proxy.killAndReap() }
        let daemonLog = { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        // reload-proxy listening, or ended (killed by the filter): whichever comes first, up to 120 s under load.
        let listening = try await pollUntil("reload-proxy to listen or end", timeout: .seconds(120)) {
            FreePort.canConnect(host: "127.0.0.1", port: port) ? true : (proxy.termination != nil ? false : nil)
        }
        guard listening else {
            Issue.record("reload-proxy ended under \(service)'s filter: \(proxy.termination as Any)\n\(daemonLog())")
            return
        }
        // The daemon raises its soft descriptor limit to the hard one (systemd's default leaves it at 1,024) under
        // the filter too: the setrlimit system call is in @resources, but glibc sets limits with prlimit64 (in
        // @default), so nothing in the units has to allow it; this keeps it so.
        let child = try await pollUntil("the first daemon ready", timeout: .seconds(120)) {
            Self.readyChild(in: daemonLog())
        }
        let limits = (try? String(contentsOfFile: "/proc/\(child)/limits", encoding: .utf8)) ?? ""
        let openFiles = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }
        let numbers = openFiles?.split(separator: " ").compactMap { Int($0) } ?? []
        #expect(
            numbers.count == 2 && numbers[0] == numbers[1] && numbers[0] > 1024,
            "\(openFiles.map(String.init) ?? limits)")
        for round in ["before a reload", "after a reload"] {
            if round == "after a reload" {
                // The new daemon ready and the old one gone: the corpus goes to a daemon the reload started.
                proxy.signal(SIGHUP)
                _ = try await pollUntil("the reload to end", timeout: .seconds(120)) {
                    let log = daemonLog()
                    let ready = log.components(separatedBy: " ready\n").count - 1
                    return ready >= 2 && log.contains("exited with status 0") ? true : nil
                }
            }
            let replay = try await ProcessRunner.run(
                TestPaths.builtProduct("milter-replay"),
                [
                    "--target", "127.0.0.1:\(port)", "--quiet",
                    TestPaths.root.appendingPathComponent("fixtures/eml").path,
                ],
                timeout: .seconds(300))
            #expect(replay.status == 0, "\(round): \(replay.stdout)\n\(replay.stderr)\n\(daemonLog())")
            #expect(proxy.termination == nil, "\(round): ended \(proxy.termination as Any)\n\(daemonLog())")
        }
        proxy.signal(SIGTERM)
        #expect(await proxy.exit(within: .seconds(60)))
        #expect(proxy.termination == .exited(0), "\(daemonLog())")
    }

    /// Whether libseccomp's Python binding and systemd-analyze are here; says why not (a failure under
    /// `MILTER_INTEROP=required`).
    static func canFilter(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Bool {
        let probe =
            FileManager.default.isExecutableFile(atPath: analyzer)
            ? try await ProcessRunner.run(python, ["-c", "import seccomp"]).status : 1
        guard probe != 0 else { return true }
        PeerRequirement.reportMissing(
            "python3-seccomp and systemd-analyze",
            reason: "\(python) cannot import seccomp, or \(analyzer) is missing (Debian python3-seccomp, systemd)",
            testName: "ContribSyscallFilterTests", sourceLocation: sourceLocation)
        return false
    }

    /// The pid of the first daemon reload-proxy logged ready (`child 1234 ready`).
    static func readyChild(in log: String) -> Int32? {
        for line in log.split(separator: "\n") where line.hasSuffix(" ready") {
            if let word = line.split(separator: " ").dropLast().last, let pid = Int32(word) { return pid }
        }
        return nil
    }
}
