import Foundation

/// The libmilter test milter in `interop/cmilter/cmilter.c`, compiled once per test process.
///
/// Its decision rules (verdicts from `X-Test-Action:`, edits from `X-Test-Mod:`, RCPT rejects for
/// `reject-rcpt@…`) are documented at the top of cmilter.c.
final class CMilter: InteropPeer {
    /// How cmilter decides (see cmilter.c).
    enum Mode: String, Sendable {
        /// Verdict and modifications from X-Test-Action / X-Test-Mod headers.
        case headers
        /// Verdict from tags in the Subject; no modifications.
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

    /// The `smtpd_milters` entry for Postfix, e.g. "inet:127.0.0.1:4567" or "inet:[::1]:4567".
    var postfixSpec: String { host.contains(":") ? "inet:[\(host)]:\(port)" : "inet:\(host):\(port)" }

    private init(host: String, port: Int, process: BackgroundProcess) {
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
        let (port, process) = try await startListening("cmilter", host: host) { port in
            let log = binary.deletingLastPathComponent().appendingPathComponent("cmilter-\(port).log")
            let spec = ipv6 ? "inet6:\(port)@::1" : "inet:\(port)@127.0.0.1"
            return try BackgroundProcess.start(binary.path, ["--\(mode.rawValue)", "-v", spec], logFile: log)
        }
        return CMilter(host: host, port: port, process: process)
    }

    var peerName: String { "cmilter" }

    /// Everything cmilter traced so far (one line per callback).
    func log() -> String { process.log() }

    /// Stops it (libmilter needs a moment to notice SIGTERM; then SIGKILL).
    func stop() async { await process.stop(grace: .seconds(3)) }

    /// The path of the compiled binary; compiles it on first use.
    static func build() async throws -> URL {
        try await CProgram.shared.binary(source: "interop/cmilter/cmilter.c", libraries: ["-lmilter", "-lpthread"])
    }
}
