import Foundation
import MilterTestSupport

/// Debian's dnsmasq serving a test zone on a free 127.0.0.1 port (UDP and TCP), from a hosts file:
/// names in the zone that the file does not hold are NXDOMAIN (`--local`), nothing goes upstream.
final class Dnsmasq: InteropPeer {
    static let binary = "/usr/sbin/dnsmasq"

    /// The port it answers on.
    let port: Int
    /// Its scratch directory (hosts file, log).
    let directory: URL
    /// The running server.
    let process: BackgroundProcess

    var peerName: String { "dnsmasq" }

    private init(port: Int, directory: URL, process: BackgroundProcess) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Starts dnsmasq answering `records` (name → IPv4 addresses) for `zone`, runs `body`, stops it.
    static func with<T: Sendable>(
        zone: String, records: [String: [String]], _ body: (Dnsmasq) async throws -> T
    ) async throws -> T {
        try await withPeer(try await start(zone: zone, records: records), body)
    }

    /// Starts it in the foreground (`--no-daemon`) with a TTL of 60 s on every answer.
    static func start(zone: String, records: [String: [String]]) async throws -> Dnsmasq {
        let directory = try Scratch.makeDirectory("dnsmasq")
        let hosts = directory.appendingPathComponent("hosts")
        let lines = records.sorted { $0.key < $1.key }.flatMap { name, addresses in
            addresses.map { "\($0) \(name)" }
        }
        try (lines.joined(separator: "\n") + "\n").write(to: hosts, atomically: true, encoding: .utf8)
        do {
            let (port, process) = try await startListening("dnsmasq") { port in
                try BackgroundProcess.start(
                    binary,
                    [
                        "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
                        "--bind-interfaces", "--listen-address=127.0.0.1", "--except-interface=nonexistent0",
                        "--port=\(port)", "--addn-hosts=\(hosts.path)", "--local=/\(zone)/", "--local-ttl=60",
                        "--pid-file=", "--user=root", "--log-queries", "--log-facility=-",
                    ],
                    logFile: directory.appendingPathComponent("dnsmasq.log"))
            }
            return Dnsmasq(port: port, directory: directory, process: process)
        } catch {
            Scratch.remove(directory)
            throw error
        }
    }

    /// Everything it logged (one line per query with `--log-queries`).
    func log() -> String { process.log() }

    /// Stops it and removes its directory.
    func stop() async {
        await process.stop(grace: .seconds(3))
        Scratch.remove(directory)
    }
}
