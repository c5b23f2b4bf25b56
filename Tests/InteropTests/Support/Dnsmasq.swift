import Foundation
import MilterTestSupport

/// Debian's dnsmasq serving a test zone on a free 127.0.0.1 port (UDP and TCP), from a hosts file:
/// names in the zone that the file does not hold are NXDOMAIN (`--local`), nothing goes upstream.
enum Dnsmasq {
    static let binary = "/usr/sbin/dnsmasq"

    /// Starts dnsmasq answering `records` (name → IPv4 addresses) and `cnames` (alias → a name of
    /// `records`) for `zone`, runs `body`, stops it.
    static func with<T: Sendable>(
        zone: String, records: [String: [String]], cnames: [String: String] = [:],
        _ body: (ScratchPeer) async throws -> T
    ) async throws -> T {
        try await withPeer(try await start(zone: zone, records: records, cnames: cnames), body)
    }

    /// Starts dnsmasq with no zone and no upstream server: it answers every query REFUSED, as a
    /// forwarder whose upstream is gone does.
    static func withRefusing<T: Sendable>(_ body: (ScratchPeer) async throws -> T) async throws -> T {
        try await withPeer(try await start(zone: nil, records: [:]), body)
    }

    /// Starts dnsmasq as the authoritative server of `zone` (`--auth-zone`), answering `records` (name →
    /// one IPv4 address) with a TTL of 60 s; its NXDOMAIN answers carry the zone's SOA, whose TTL and
    /// negative TTL are 60 s too. Its log has a line per query, `auth[A] NAME from ...`.
    static func withAuthoritative<T: Sendable>(
        zone: String, records: [String: String], _ body: (ScratchPeer) async throws -> T
    ) async throws -> T {
        let peer = try await ScratchPeer.start("dnsmasq") { port, directory in
            try BackgroundProcess.start(
                binary,
                [
                    "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
                    "--bind-interfaces", "--listen-address=127.0.0.1", "--except-interface=nonexistent0",
                    "--port=\(port)", "--auth-server=ns.\(zone),127.0.0.1", "--auth-zone=\(zone)", "--auth-ttl=60",
                    "--pid-file=", "--user=root", "--log-queries", "--log-facility=-",
                ] + records.sorted { $0.key < $1.key }.map { "--host-record=\($0.key),\($0.value)" },
                logFile: directory.appendingPathComponent("dnsmasq.log"))
        }
        return try await withPeer(peer, body)
    }

    /// Starts it in the foreground (`--no-daemon`) with a TTL of 60 s on every answer; its log has
    /// one line per query (`--log-queries`). Without a `zone`, it refuses every query.
    static func start(
        zone: String?, records: [String: [String]], cnames: [String: String] = [:]
    ) async throws -> ScratchPeer {
        try await ScratchPeer.start("dnsmasq") { port, directory in
            let hosts = directory.appendingPathComponent("hosts")
            let lines = records.sorted { $0.key < $1.key }.flatMap { name, addresses in
                addresses.map { "\($0) \(name)" }
            }
            try (lines.joined(separator: "\n") + "\n").write(to: hosts, atomically: true, encoding: .utf8)
            let zoneArguments = zone.map { ["--local=/\($0)/"] } ?? []
            let cnameArguments = cnames.sorted { $0.key < $1.key }.map { "--cname=\($0.key),\($0.value)" }
            return try BackgroundProcess.start(
                binary,
                [
                    "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
                    "--bind-interfaces", "--listen-address=127.0.0.1", "--except-interface=nonexistent0",
                    "--port=\(port)", "--addn-hosts=\(hosts.path)", "--local-ttl=60",
                    "--pid-file=", "--user=root", "--log-queries", "--log-facility=-",
                ] + zoneArguments + cnameArguments,
                logFile: directory.appendingPathComponent("dnsmasq.log"))
        }
    }
}
