import Foundation

/// A private Sendmail MTA (`sendmail -C FILE -bD`, foreground daemon) on a free 127.0.0.1 port, with
/// `INPUT_MAIL_FILTER`s, relaying everything to an smtp-sink.
///
/// The binary is unpacked beside Postfix by `.ci/install-sendmail-private` (the packages conflict, so it
/// is never the system MTA). The config is built with m4 from the sendmail-cf files. Sendmail sleeps a
/// minute at start when the host name has no dot and does not resolve, so it runs in its own UTS
/// namespace (`unshare --uts`) named mta.interop.test.
final class Sendmail: InteropPeer {
    /// The sendmail binary.
    static let binary = "/opt/sendmail/usr/libexec/sendmail/sendmail"
    /// The sendmail-cf m4 tree.
    static let cfDirectory = "/opt/sendmail/usr/share/sendmail/cf"

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
    static func with<T: Sendable>(milters: [String], _ body: (Sendmail) async throws -> T) async throws -> T {
        try await withPeer(try await start(milters: milters), body)
    }

    /// Starts Sendmail; call `stop` when done (prefer `with`).
    static func start(milters: [String]) async throws -> Sendmail {
        let directory = try Scratch.makeDirectory("sendmail")
        let sink = try await SMTPSink.start(in: directory.appendingPathComponent("sink"))
        do {
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("mqueue"), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            let (port, process) = try await startListening("sendmail") { port in
                try writeConfig(directory: directory, port: port, sinkPort: sink.port, milters: milters)
                let daemon = "hostname mta.interop.test && exec \(binary) -C \(directory.path)/sendmail.cf -bD"
                return try BackgroundProcess.start(
                    "/usr/bin/unshare", ["--uts", "/bin/sh", "-c", daemon],
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

    /// Waits until smtp-sink has received at least `count` messages and returns them.
    func delivered(count: Int, timeout: Duration = .seconds(30)) async throws -> [SinkMessage] {
        try await pollUntil("\(count) message(s) delivered by Sendmail", timeout: timeout) {
            let messages = try sink.messages()
            return messages.count >= count ? messages : nil
        }
    }

    private static func writeConfig(directory: URL, port: Int, sinkPort: Int, milters: [String]) throws {
        let mc = directory.appendingPathComponent("sendmail.mc")
        try macroConfig(directory: directory, port: port, sinkPort: sinkPort, milters: milters)
            .write(to: mc, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/m4")
        process.arguments = [mc.path]
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("sendmail.cf").path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("sendmail.cf"))
        process.standardError = FileHandle.nullDevice  // m4 warns about promiscuous_relay; intended here
        try process.run()
        guard ProcessRunner.waitForExit(process, timeout: .seconds(30)), process.terminationStatus == 0 else {
            throw InteropError("m4 sendmail.mc failed")
        }
    }

    private static func macroConfig(directory: URL, port: Int, sinkPort: Int, milters: [String]) -> String {
        let filters = milters.enumerated().map { index, spec in
            "INPUT_MAIL_FILTER(`m\(index)', `S=\(spec), F=T, T=C:30s;S:30s;R:30s;E:5m')dnl"
        }
        return
            ([
                "divert(-1)", "divert(0)dnl", "include(`\(cfDirectory)/m4/cf.m4')dnl", "OSTYPE(`linux')dnl",
                "define(`confDOMAIN_NAME', `mta.interop.test')dnl", "define(`confDONT_PROBE_INTERFACES', `True')dnl",
                "define(`confDONT_BLAME_SENDMAIL', `GroupWritableDirPathSafe,TrustStickyBit,NonRootSafeAddr')dnl",
                "define(`QUEUE_DIR', `\(directory.path)/mqueue')dnl",
                "define(`confPID_FILE', `\(directory.path)/sendmail.pid')dnl",
                "define(`STATUS_FILE', `\(directory.path)/statistics')dnl", "define(`ALIAS_FILE', `')dnl",
                "define(`confHOST_STATUS_DIRECTORY', `')dnl", "define(`confTO_IDENT', `0')dnl",
                "define(`SMART_HOST', `[127.0.0.1]')dnl", "define(`RELAY_MAILER_ARGS', `TCP $h \(sinkPort)')dnl",
                "define(`ESMTP_MAILER_ARGS', `TCP $h \(sinkPort)')dnl",
                "DAEMON_OPTIONS(`Port=\(port), Addr=127.0.0.1, Name=MTA')dnl",
            ] + filters + [
                "FEATURE(`nocanonify')dnl", "FEATURE(`accept_unresolvable_domains')dnl",
                "FEATURE(`promiscuous_relay')dnl", "MAILER(`smtp')dnl",
            ]).joined(separator: "\n") + "\n"
    }
}
