import Foundation
import MilterTestSupport

/// The libmilter test milter in `interop/cmilter/cmilter.c`, compiled once per test process.
///
/// Its decision rules (verdicts from `X-Test-Action:`, edits from `X-Test-Mod:`, RCPT rejects for
/// `reject-rcpt@…`) are documented at the top of cmilter.c.
final class CMilter: InteropPeer {
    /// How cmilter decides (see cmilter.c).
    enum Mode: String, Sendable {
        /// Verdict and modifications from X-Test-Action / X-Test-Mod headers.
        case headers
        /// ReferenceMilter's built-in rules: verdict from tags in the Subject, else add
        /// "X-Reference-Milter: checked" and accept.
        case subject
        /// No actions negotiated; always accept. For load comparisons.
        case plain
    }

    /// The address it listens on: "127.0.0.1" or "::1".
    let host: String
    /// The TCP port it listens on.
    let port: Int
    /// The running process.
    let process: BackgroundProcess
    /// Its scratch directory (the trace log).
    let directory: URL

    /// The `smtpd_milters` entry for Postfix, e.g. "inet:127.0.0.1:4567" or "inet:[::1]:4567".
    var postfixSpec: String { host.contains(":") ? "inet:[\(host)]:\(port)" : "inet:\(host):\(port)" }

    /// The libmilter/Sendmail socket spec, e.g. "inet:4567@127.0.0.1" or "inet6:4567@::1".
    var sendmailSpec: String { host.contains(":") ? "inet6:\(port)@\(host)" : "inet:\(port)@\(host)" }

    private init(host: String, port: Int, process: BackgroundProcess, directory: URL) {
        self.directory = directory
        self.host = host
        self.port = port
        self.process = process
    }

    /// Starts cmilter, runs `body`, and stops cmilter, also when `body` throws; prints its log on failure.
    static func with<T: Sendable>(
        mode: Mode = .headers, ipv6: Bool = false, _ body: (CMilter) async throws -> T
    ) async throws -> T {
        try await withPeer(try await start(mode: mode, ipv6: ipv6), body)
    }

    /// Compiles cmilter if needed and starts it on a free loopback port, traced (-v) into its log.
    static func start(mode: Mode = .headers, ipv6: Bool = false) async throws -> CMilter {
        let binary = try await build()
        let host = ipv6 ? "::1" : "127.0.0.1"
        let directory = try Scratch.makeDirectory("cmilter")
        do {
            let (port, process) = try await startListening("cmilter", host: host) { port in
                let spec = ipv6 ? "inet6:\(port)@::1" : "inet:\(port)@127.0.0.1"
                return try BackgroundProcess.start(
                    binary.path, ["--\(mode.rawValue)", "-v", spec],
                    logFile: directory.appendingPathComponent("cmilter.log"))
            }
            return CMilter(host: host, port: port, process: process, directory: directory)
        } catch {
            Scratch.remove(directory)
            throw error
        }
    }

    var peerName: String { "cmilter" }

    /// Everything cmilter traced so far (one line per callback).
    func log() -> String { process.log() }

    /// Stops it (libmilter needs a moment to notice SIGTERM; then SIGKILL) and removes its directory.
    func stop() async {
        await process.stop(grace: .seconds(3))
        Scratch.remove(directory)
    }

    /// The path of the compiled binary; compiles it on first use.
    static func build() async throws -> URL {
        try await CProgram.shared.binary(source: "interop/cmilter/cmilter.c", libraries: ["-lmilter", "-lpthread"])
    }
}
