import Foundation
import MilterTestSupport

/// `milter-replay record` started in front of a milter for one test: it listens on a free
/// 127.0.0.1 port and writes a pcapng file in its own scratch directory.
final class RecordingProxy: InteropPeer {
    /// The port MTAs (or MilterClient) connect to.
    let port: Int
    /// The pcapng file it writes.
    let file: URL
    /// Its scratch directory (the file and its log).
    let directory: URL
    private let process: BackgroundProcess

    private init(port: Int, file: URL, directory: URL, process: BackgroundProcess) {
        self.port = port
        self.file = file
        self.directory = directory
        self.process = process
    }

    /// Starts the recorder relaying to `upstream` (`HOST:PORT`).
    static func start(upstream: String) async throws -> RecordingProxy {
        let directory = try Scratch.makeDirectory("record")
        let file = directory.appendingPathComponent("recorded.pcapng")
        let (port, process) = try await startListening("milter-replay record") { port in
            try BackgroundProcess.start(
                MilterReplayBinary.path,
                ["record", "--listen", "127.0.0.1:\(port)", "--upstream", upstream, "--write", file.path],
                logFile: directory.appendingPathComponent("log"))
        }
        return RecordingProxy(port: port, file: file, directory: directory, process: process)
    }

    var peerName: String { "milter-replay record" }

    /// What it printed.
    func log() -> String { process.log() }

    /// Sends SIGTERM (the recorder closes its connections and the file, then exits) and waits for it.
    func finish() async -> String {
        await process.stop(grace: .seconds(20))
        return process.log()
    }

    /// Stops it if still running and removes its directory.
    func stop() async {
        await process.stop(grace: .seconds(20))
        Scratch.remove(directory)
    }
}
