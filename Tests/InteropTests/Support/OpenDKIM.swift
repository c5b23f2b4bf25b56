import Foundation
import MilterTestSupport

/// OpenDKIM in signing mode: a fresh key (opendkim-genkey), domain example.com, selector "test",
/// listening on a free 127.0.0.1 port. Mail whose From: is @example.com and that comes from
/// 127.0.0.1 gets a DKIM-Signature header.
final class OpenDKIM: InteropPeer {
    /// The signing domain.
    static let domain = "example.com"
    /// The selector.
    static let selector = "test"

    /// Its scratch directory: key, config, log.
    let directory: URL
    /// The TCP port it listens on, on 127.0.0.1.
    let port: Int
    /// The running opendkim.
    let process: BackgroundProcess

    /// The `smtpd_milters` entry for Postfix.
    var postfixSpec: String { "inet:127.0.0.1:\(port)" }

    /// The DNS TXT record text for the public key (`test.txt`), for verifying signatures.
    func publicKeyRecord() throws -> String {
        try String(contentsOf: directory.appendingPathComponent("\(Self.selector).txt"), encoding: .utf8)
    }

    private init(directory: URL, port: Int, process: BackgroundProcess) {
        self.directory = directory
        self.port = port
        self.process = process
    }

    /// Starts OpenDKIM, runs `body`, then stops it, also when `body` throws.
    static func with<T: Sendable>(_ body: (OpenDKIM) async throws -> T) async throws -> T {
        try await withPeer(try await start(), body)
    }

    /// Generates a key and starts OpenDKIM; call `stop` when done (prefer `with`).
    static func start() async throws -> OpenDKIM {
        let directory = try Scratch.makeDirectory("opendkim")
        try await ProcessRunner.run(
            "/usr/sbin/opendkim-genkey", ["-D", directory.path, "-d", domain, "-s", selector]
        ).check("opendkim-genkey")
        let config = directory.appendingPathComponent("opendkim.conf")
        do {
            let (port, process) = try await startListening("opendkim") { port in
                try configuration(directory: directory, port: port).write(
                    to: config, atomically: true, encoding: .utf8)
                return try BackgroundProcess.start(
                    "/usr/sbin/opendkim", ["-f", "-x", config.path], logFile: directory.appendingPathComponent("log"))
            }
            return OpenDKIM(directory: directory, port: port, process: process)
        } catch {
            Scratch.remove(directory)
            throw error
        }
    }

    var peerName: String { "opendkim" }

    /// Everything it logged.
    func log() -> String { process.log() }

    /// Stops OpenDKIM and removes its directory.
    func stop() async {
        await process.stop(grace: .seconds(3))
        Scratch.remove(directory)
    }

    private static func configuration(directory: URL, port: Int) -> String {
        // RequireSafeKeys is off because the key lives under /tmp, which others can write.
        """
        Mode s
        Domain \(domain)
        Selector \(selector)
        KeyFile \(directory.path)/\(selector).private
        Socket inet:\(port)@127.0.0.1
        Background no
        Syslog no
        PidFile \(directory.path)/opendkim.pid
        Canonicalization relaxed/simple
        RequireSafeKeys false

        """
    }
}
