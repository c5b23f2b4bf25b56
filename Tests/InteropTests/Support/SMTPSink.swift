import Foundation
import MilterTestSupport

/// Postfix's `smtp-sink`, accepting every message on a free 127.0.0.1 port and dumping each one to
/// a file in its directory (`-d`).
final class SMTPSink: Sendable {
    /// Where the dumps go.
    let directory: URL
    /// The port it listens on.
    let port: Int
    private let process: BackgroundProcess

    private init(directory: URL, port: Int, process: BackgroundProcess) {
        self.directory = directory
        self.port = port
        self.process = process
    }

    /// Starts a sink dumping into `directory` (created world-writable: smtp-sink runs as nobody).
    static func start(in directory: URL) async throws -> SMTPSink {
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory.path)
        let logFile = directory.deletingLastPathComponent().appendingPathComponent("smtp-sink.log")
        let (port, process) = try await startListening("smtp-sink") { port in
            try BackgroundProcess.start(
                "/usr/sbin/smtp-sink",
                ["-u", "nobody", "-d", directory.path + "/%Y%m%d%H%M%S.", "127.0.0.1:\(port)", "100"],
                logFile: logFile)
        }
        return SMTPSink(directory: directory, port: port, process: process)
    }

    /// Stops it.
    func stop() async { await process.stop(grace: .seconds(2)) }

    /// Every message received and completely written so far, oldest first.
    ///
    /// smtp-sink creates a dump file when the transaction starts and writes it through a buffer, so
    /// a file can exist, empty or half written, after Postfix has seen the 250 for the message. A
    /// complete dump ends with the empty line smtp-sink appends; files that do not are still in
    /// progress and are left for the next poll.
    func messages() throws -> [SinkMessage] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.compactMap { name in
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            guard data.count >= 2, data.suffix(2) == Data("\n\n".utf8) else { return nil }
            return SinkMessage(raw: String(decoding: data, as: UTF8.self))
        }
    }
}

/// A message as smtp-sink dumped it: its envelope pseudo-headers (X-Mail-Args, X-Rcpt-Args), the
/// Received: header smtp-sink adds, then the message as Postfix relayed it.
struct SinkMessage: Sendable {
    /// The whole dump.
    let raw: String
    /// Header fields in order, unfolded, including the envelope pseudo-headers.
    let headers: [(name: String, value: String)]
    /// The body with LF line ends; smtp-sink ends each dump with an extra empty line, so trailing empty
    /// lines are cut to one line end.
    let body: String

    init(raw: String) {
        self.raw = raw
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        let parts = normalized.components(separatedBy: "\n\n")
        var body = parts.dropFirst().joined(separator: "\n\n")
        while body.hasSuffix("\n") { body.removeLast() }
        self.body = body.isEmpty ? "" : body + "\n"
        var fields: [(name: String, value: String)] = []
        for line in (parts.first ?? "").components(separatedBy: "\n") {
            if line.first == " " || line.first == "\t", let last = fields.popLast() {
                fields.append((last.name, last.value + " " + line.trimmingCharacters(in: .whitespaces)))
            } else if let colon = line.firstIndex(of: ":") {
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                fields.append((String(line[..<colon]), value))
            }
        }
        self.headers = fields
    }

    /// The values of every header named `name` (case-insensitive), in order.
    func headers(named name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// The first value of the header `name`.
    func header(named name: String) -> String? { headers(named: name).first }

    /// The envelope sender Postfix used, e.g. "<a@example.com>".
    var mailFrom: String? { header(named: "X-Mail-Args")?.split(separator: " ").first.map(String.init) }

    /// The envelope recipients Postfix used, e.g. ["<b@example.org>"].
    var rcptTo: [String] {
        headers(named: "X-Rcpt-Args").compactMap { $0.split(separator: " ").first.map(String.init) }
    }
}
