import Foundation
import MilterTestSupport

/// A private Postfix instance (`postfix -c DIR`) relaying everything to an smtp-sink that dumps
/// each message to a file. Built by `interop/postfix/postfix-instance.sh`.
final class Postfix: InteropPeer {
    /// Its scratch directory: etc/, queue/, data/, maillog, sink/.
    let directory: URL
    /// The port smtpd listens on, on 127.0.0.1.
    let smtpPort: Int
    /// The smtp-sink that receives the relayed mail.
    let sink: SMTPSink

    private var configDirectory: String { directory.appendingPathComponent("etc").path }
    private static let script = TestPaths.root.appendingPathComponent("interop/postfix/postfix-instance.sh")

    private init(directory: URL, smtpPort: Int, sink: SMTPSink) {
        self.directory = directory
        self.smtpPort = smtpPort
        self.sink = sink
    }

    /// Starts an instance whose `smtpd_milters` are `milters` (e.g. `[milter.postfixSpec]`), with extra
    /// main.cf `settings` ("name=value"), runs `body`, then stops it, also when `body` throws.
    /// On failure the Postfix log is printed.
    static func with<T: Sendable>(
        milters: [String], settings: [String] = [], _ body: (Postfix) async throws -> T
    ) async throws -> T {
        try await withPeer(try await start(milters: milters, settings: settings), body)
    }

    /// Starts cmilter in `mode` and a Postfix instance using it, runs `body`, then stops both.
    static func withCMilter<T: Sendable>(
        mode: CMilter.Mode = .headers, ipv6: Bool = false, settings: [String] = [],
        _ body: (Postfix, CMilter) async throws -> T
    ) async throws -> T {
        try await CMilter.with(mode: mode, ipv6: ipv6) { milter in
            try await with(milters: [milter.postfixSpec], settings: settings) { postfix in
                try await body(postfix, milter)
            }
        }
    }

    var peerName: String { "postfix" }

    /// Postfix's log (see `maillog()`).
    func log() -> String { maillog() }

    /// Stops Postfix and the sink and removes the directory.
    func stop() async { await stop(keepFiles: false) }

    /// Starts an instance; call `stop` when done (prefer `with`).
    static func start(milters: [String], settings: [String] = []) async throws -> Postfix {
        let directory = try Scratch.makeDirectory("postfix")
        let sink = try await SMTPSink.start(in: directory.appendingPathComponent("sink"))
        let smtpPort = try FreePort.allocate()
        let postfix = Postfix(directory: directory, smtpPort: smtpPort, sink: sink)
        do {
            try await ProcessRunner.run(
                "/bin/bash",
                [
                    script.path, "create", directory.path, "127.0.0.1:\(smtpPort)", "127.0.0.1:\(sink.port)",
                    milters.joined(separator: " "),
                ] + settings
            ).check("postfix-instance.sh create")
            try await ProcessRunner.run("/usr/sbin/postfix", ["-c", postfix.configDirectory, "start"])
                .check("postfix start")
            try await FreePort.waitUntilListening(port: smtpPort)
        } catch {
            let log = postfix.maillog()
            await postfix.stop(keepFiles: true)
            throw HarnessError("Postfix did not start: \(error)\n\(log)")
        }
        return postfix
    }

    /// Stops Postfix and the sink, and removes the directory unless `keepFiles`.
    func stop(keepFiles: Bool = false) async {
        _ = try? await ProcessRunner.run("/usr/sbin/postfix", ["-c", configDirectory, "stop"], timeout: .seconds(30))
        await sink.stop()
        if !keepFiles { Scratch.remove(directory) }
    }

    /// Sends one message on its own SMTP connection.
    func send(_ message: SMTPMessage) async throws -> SMTPResult {
        try await SMTPClient.send(message, port: smtpPort)
    }

    /// Sends several messages on one SMTP connection.
    func session(_ messages: [SMTPMessage], helo: String = "client.interop.test") async throws -> SMTPSession {
        try await SMTPClient.session(port: smtpPort, helo: helo, messages: messages)
    }

    /// Waits until smtp-sink has received at least `count` messages and Postfix has nothing left to
    /// deliver, then returns what the sink received (oldest first).
    func delivered(count: Int, timeout: Duration = .seconds(30)) async throws -> [SinkMessage] {
        try await pollUntil("\(count) delivered message(s)", timeout: timeout) {
            let messages = try sink.messages()
            guard messages.count >= count else { return nil }
            let pending = try await queue().filter { $0.queueName != "hold" }
            return pending.isEmpty ? messages : nil
        }
    }

    /// Waits until the hold queue has at least `count` messages and returns them.
    func held(count: Int, timeout: Duration = .seconds(30)) async throws -> [QueueEntry] {
        try await pollUntil("\(count) held message(s)", timeout: timeout) {
            let held = try await queue().filter { $0.queueName == "hold" }
            return held.count >= count ? held : nil
        }
    }

    /// Every message in every queue (`postqueue -j`).
    func queue() async throws -> [QueueEntry] {
        let output = try await ProcessRunner.run("/usr/sbin/postqueue", ["-c", configDirectory, "-j"])
            .check("postqueue -j").stdout
        return try output.split(separator: "\n").map {
            try JSONDecoder().decode(QueueEntry.self, from: Data($0.utf8))
        }
    }

    /// The queue file of `queueID` as `postcat -q` prints it (envelope, header, body).
    func postcat(queueID: String) async throws -> String {
        try await ProcessRunner.run("/usr/sbin/postcat", ["-c", configDirectory, "-q", queueID])
            .check("postcat").stdout
    }

    /// Postfix's own log (maillog_file).
    func maillog() -> String {
        (try? String(contentsOf: directory.appendingPathComponent("maillog"), encoding: .utf8)) ?? ""
    }
}

/// One line of `postqueue -j`.
struct QueueEntry: Decodable, Sendable {
    /// One recipient of a queued message.
    struct Recipient: Decodable, Sendable {
        /// The address.
        let address: String
        /// Why delivery was delayed, if it was.
        let delayReason: String?

        enum CodingKeys: String, CodingKey {
            case address
            case delayReason = "delay_reason"
        }
    }

    /// "hold", "active", "deferred", "incoming" or "maildrop".
    let queueName: String
    /// The Postfix queue id.
    let queueID: String
    /// The envelope sender.
    let sender: String
    /// The envelope recipients.
    let recipients: [Recipient]

    enum CodingKeys: String, CodingKey {
        case queueName = "queue_name"
        case queueID = "queue_id"
        case sender, recipients
    }
}
