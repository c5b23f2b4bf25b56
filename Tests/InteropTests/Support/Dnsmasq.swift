import Foundation
import MilterTestSupport

/// Debian's dnsmasq serving a test zone on a free 127.0.0.1 port (UDP and TCP), from a hosts file:
/// names in the zone that the file does not hold are NXDOMAIN (`--local`), nothing goes upstream.
enum Dnsmasq {
    static let binary = "/usr/sbin/dnsmasq"

    /// Starts dnsmasq answering `records` (name → IPv4 addresses) for `zone`, runs `body`, stops it.
    static func with<T: Sendable>(
        zone: String, records: [String: [String]], _ body: (ScratchPeer) async throws -> T
    ) async throws -> T {
        try await withPeer(try await start(zone: zone, records: records), body)
    }

    /// Starts it in the foreground (`--no-daemon`) with a TTL of 60 s on every answer; its log has
    /// one line per query (`--log-queries`).
    static func start(zone: String, records: [String: [String]]) async throws -> ScratchPeer {
        try await ScratchPeer.start("dnsmasq") { port, directory in
            let hosts = directory.appendingPathComponent("hosts")
            let lines = records.sorted { $0.key < $1.key }.flatMap { name, addresses in
                addresses.map { "\($0) \(name)" }
            }
            try (lines.joined(separator: "\n") + "\n").write(to: hosts, atomically: true, encoding: .utf8)
            return try BackgroundProcess.start(
                binary,
                [
                    "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
                    "--bind-interfaces", "--listen-address=127.0.0.1", "--except-interface=nonexistent0",
                    "--port=\(port)", "--addn-hosts=\(hosts.path)", "--local=/\(zone)/", "--local-ttl=60",
                    "--pid-file=", "--user=root", "--log-queries", "--log-facility=-",
                ],
                logFile: directory.appendingPathComponent("dnsmasq.log"))
        }
    }
}
