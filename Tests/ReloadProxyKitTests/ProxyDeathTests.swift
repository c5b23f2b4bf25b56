import Foundation
import MilterTestSupport
import Testing

/// reload-proxy killed with SIGKILL (no chance to stop its children): the daemon child was orphaned and went on
/// serving, holding the socket (and a metrics port) that a new proxy needs. It now gets SIGTERM when the proxy
/// dies (`MILTER_PROXY_PID`, `PR_SET_PDEATHSIG`), drains and exits.
@Suite("reload-proxy killed", .serialized, .timeLimit(.minutes(3)))
struct ProxyDeathTests {
    #if os(Linux)
    @Test func theDaemonStopsWhenTheProxyIsKilled() async throws {
        try await ProxyProcess.with { proxy in
            let child = try #require(Self.childPID(in: proxy.log()), "\(proxy.log())")
            #expect(Self.isAlive(child))
            // Idle long enough for the thread that started the daemon's async work to be gone: Linux keeps the
            // parent-death request with the thread that made it, and a request made from a thread of the
            // concurrency pool (or the main thread, which dispatch_main ends) was lost after about that long.
            try await Task.sleep(for: .seconds(45))
            proxy.signal(SIGKILL)
            #expect(await proxy.waitForExit(timeout: .seconds(20)))
            // Generous: the daemon drains (nothing is open) and exits; no assertion on how fast.
            let gone = try? await pollUntil("the daemon's exit", timeout: .seconds(60)) {
                Self.isAlive(child) ? nil : true
            }
            if gone == nil { kill(child, SIGKILL) }  // Not left running after a failure.
            #expect(gone == true, "daemon \(child) still running after the proxy was killed\n\(proxy.log())")
            #expect(proxy.log().contains("stopping signal=SIGTERM"), "\(proxy.log())")
            // Nothing listens on the socket any more.
            #expect(!(await MilterSessions.run(proxy.socketPath).ok))
        }
    }

    /// The pid in the proxy's `child N ready` line.
    static func childPID(in log: String) -> pid_t? {
        for line in log.split(separator: "\n") where line.contains("reload-proxy: child ") && line.hasSuffix(" ready") {
            let words = line.split(separator: " ")
            if let index = words.firstIndex(of: "child"), index + 1 < words.count { return pid_t(words[index + 1]) }
        }
        return nil
    }

    /// Whether `pid` runs: a zombie (not yet reaped by whoever adopted it) has exited.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: end)...].split(separator: " ").first != "Z"
    }
    #endif
}
