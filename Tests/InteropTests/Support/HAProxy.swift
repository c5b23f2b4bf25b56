import Foundation
import MilterTestSupport

/// Debian's HAProxy in TCP mode, spreading milter connections over several servers (round robin),
/// with the health checks and retries the README recommends.
enum HAProxy {
    static let binary = "/usr/sbin/haproxy"

    /// The configuration: a dead server is marked down after one failed check (every 200 ms), and a
    /// connection that cannot reach its server is retried on another one.
    static func configuration(port: Int, servers: [Int]) -> String {
        let lines = servers.enumerated().map { index, server in
            "    server milter\(index) 127.0.0.1:\(server) check inter 200ms fall 1 rise 2"
        }
        return """
            global
                maxconn 1000
            defaults
                mode tcp
                timeout connect 2s
                timeout client 60s
                timeout server 60s
                retries 3
                option redispatch 1
            frontend milter
                bind 127.0.0.1:\(port)
                default_backend milters
            backend milters
                balance roundrobin
            \(lines.joined(separator: "\n"))

            """
    }

    /// Starts HAProxy in the foreground (`-db`) in front of the milters listening on `servers`.
    static func start(servers: [Int]) async throws -> ScratchPeer {
        try await ScratchPeer.start("haproxy") { port, directory in
            let file = directory.appendingPathComponent("haproxy.cfg")
            try configuration(port: port, servers: servers).write(to: file, atomically: true, encoding: .utf8)
            return try BackgroundProcess.start(
                binary, ["-db", "-f", file.path], logFile: directory.appendingPathComponent("haproxy.log"))
        }
    }
}

/// `reference-milter daemon` (the built binary), logging each verdict.
enum ScaleOutDaemon {
    static func start() async throws -> ScratchPeer {
        try await ScratchPeer.start("reference-milter") { port, directory in
            try BackgroundProcess.start(
                TestPaths.builtProduct("reference-milter"),
                [
                    "daemon", "127.0.0.1:\(port)", "--log-level", "info", "--drain-timeout", "1", "--handshake-timeout",
                    "120",
                ],
                logFile: directory.appendingPathComponent("daemon.log"))
        }
    }

    /// The messages `daemon` has classified so far: one info line each,
    /// `QUEUEID: ACCEPT (rule at line 6) connection=2`.
    static func verdictCount(_ daemon: ScratchPeer) -> Int {
        daemon.log().split(separator: "\n").filter {
            $0.contains(" info reference-milter: ") && $0.contains(" connection=")
        }.count
    }
}
