import Foundation
import MilterTestSupport

/// A private Sendmail MTA (`sendmail -C FILE -bD`, foreground daemon) on a free 127.0.0.1 port, with
/// `INPUT_MAIL_FILTER`s, relaying everything to an smtp-sink.
///
/// The binary is unpacked beside Postfix by `.ci/install-sendmail-private` (the packages conflict, so it
/// is never the system MTA). `interop/sendmail/sendmail-instance.sh` builds the config with m4 and runs
/// the daemon in its own UTS namespace (Sendmail stalls a minute on an unqualified host name).
final class Sendmail: InteropPeer {
    /// The sendmail binary.
    static let binary = "/opt/sendmail/usr/libexec/sendmail/sendmail"
    private static let script = TestPaths.root.appendingPathComponent(
        "interop/sendmail/sendmail-instance.sh")

    /// Its scratch directory: sendmail.mc, sendmail.cf, mqueue/, sink/, logs.
    let directory: URL
    /// The port its daemon listens on, on 127.0.0.1.
    let smtpPort: Int
    /// The smtp-sink that receives the relayed mail.
    let sink: SMTPSink
    private let process: BackgroundProcess

    var peerName: String { "sendmail" }

    private init(directory: URL, smtpPort: Int, sink: SMTPSink, process: BackgroundProcess) {
        self.directory = directory
        self.smtpPort = smtpPort
        self.sink = sink
        self.process = process
    }

    /// Starts Sendmail with `milters` (libmilter specs such as "inet:4567@127.0.0.1", see
    /// `CMilter.sendmailSpec`), runs `body`, then stops it, also when `body` throws.
    /// With `tls` (a PEM certificate and key, the key readable by root only) it offers STARTTLS.
    static func with<T: Sendable>(
        milters: [String], tls: (cert: String, key: String)? = nil, _ body: (Sendmail) async throws -> T
    ) async throws -> T {
        try await withPeer(try await start(milters: milters, tls: tls), body)
    }

    /// Starts Sendmail; call `stop` when done (prefer `with`).
    static func start(milters: [String], tls: (cert: String, key: String)? = nil) async throws -> Sendmail {
        let tlsArguments = tls.map { ["--tls", $0.cert, $0.key] } ?? []
        let directory = try Scratch.makeDirectory("sendmail")
        let sink = try await SMTPSink.start(in: directory.appendingPathComponent("sink"))
        do {
            let (port, process) = try await startListening("sendmail") { port in
                try await ProcessRunner.run(
                    "/bin/bash",
                    [script.path, "create", directory.path, String(port), String(sink.port)] + tlsArguments + milters
                ).check("sendmail-instance.sh create")
                return try BackgroundProcess.start(
                    "/bin/bash", [script.path, "run", directory.path],
                    logFile: directory.appendingPathComponent("sendmail.log"))
            }
            return Sendmail(directory: directory, smtpPort: port, sink: sink, process: process)
        } catch {
            await sink.stop()
            Scratch.remove(directory)
            throw error
        }
    }

    /// What the daemon printed (it logs to syslog, which tests usually lack).
    func log() -> String { process.log() }

    /// Stops the daemon and the sink and removes the directory.
    func stop() async {
        await process.stop(grace: .seconds(3))
        await sink.stop()
        Scratch.remove(directory)
    }

    /// Sends one message on its own SMTP connection.
    func send(_ message: SMTPMessage) async throws -> SMTPResult {
        try await SMTPClient.send(message, port: smtpPort)
    }

    /// Waits until smtp-sink has received at least `count` messages and Sendmail has nothing left to
    /// deliver (no qf file: smtp-sink has answered, so its dumps are complete), then returns them.
    func delivered(count: Int, timeout: Duration = .seconds(30)) async throws -> [SinkMessage] {
        let queue = directory.appendingPathComponent("mqueue").path
        return try await pollUntil("\(count) message(s) delivered by Sendmail", timeout: timeout) {
            let pending = try FileManager.default.contentsOfDirectory(atPath: queue).filter { $0.hasPrefix("qf") }
            let messages = try sink.messages()
            return messages.count >= count && pending.isEmpty ? messages : nil
        }
    }
}
