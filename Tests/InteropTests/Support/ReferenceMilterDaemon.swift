import Foundation
import MilterTestSupport

/// The built `reference-milter daemon` with a rules file, on a free 127.0.0.1 port.
final class ReferenceMilterDaemon: InteropPeer {
    let port: Int
    let directory: URL
    let process: BackgroundProcess

    /// The libmilter/Sendmail socket spec.
    var sendmailSpec: String { "inet:\(port)@127.0.0.1" }
    var peerName: String { "reference-milter daemon" }

    private init(port: Int, directory: URL, process: BackgroundProcess) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Writes `rules` to a file, starts the daemon with it, runs `body`, then stops the daemon.
    static func with<T: Sendable>(rules: String, _ body: (ReferenceMilterDaemon) async throws -> T) async throws -> T {
        let directory = try Scratch.makeDirectory("reference-milter-daemon")
        let rulesFile = directory.appendingPathComponent("rules.txt")
        do {
            try rules.write(to: rulesFile, atomically: true, encoding: .utf8)
            let (port, process) = try await startListening("reference-milter") { port in
                try BackgroundProcess.start(
                    TestPaths.builtProduct("reference-milter"),
                    ["daemon", "127.0.0.1:\(port)", "--config", rulesFile.path, "--handshake-timeout", "120"],
                    logFile: directory.appendingPathComponent("daemon.log"))
            }
            return try await withPeer(ReferenceMilterDaemon(port: port, directory: directory, process: process), body)
        } catch {
            Scratch.remove(directory)
            throw error
        }
    }

    func log() -> String { process.log() }

    func stop() async {
        await process.stop(grace: .seconds(5))
        Scratch.remove(directory)
    }
}
