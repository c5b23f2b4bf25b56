import Foundation

#if canImport(Glibc)
import Glibc
import MilterTestSupport
#endif

/// A mail to send over SMTP.
struct SMTPMessage: Sendable {
    /// Envelope sender, without angle brackets ("" for the null sender).
    var from: String
    /// Envelope recipients, without angle brackets.
    var to: [String]
    /// The whole RFC 5322 message (header, blank line, body); line ends are normalised to CRLF.
    var data: String
    /// ESMTP parameters after MAIL FROM's address, e.g. `SIZE=100`.
    var mailParameters: [String] = []

    /// A message from its raw text.
    init(from: String, to: [String], data: String) {
        self.from = from
        self.to = to
        self.data = data
    }

    /// A message with From/To/Subject/Message-ID, then `headers` in order, then `body`.
    init(
        from: String, to: [String], subject: String = "interop test", headers: [(String, String)] = [],
        body: String = "Hello from the interop tests.\n"
    ) {
        var lines = [
            "From: <\(from)>", "To: " + to.map { "<\($0)>" }.joined(separator: ", "), "Subject: \(subject)",
            "Message-ID: <\(UUID().uuidString)@interop.test>",
        ]
        lines += headers.map { "\($0.0): \($0.1)" }
        self.init(from: from, to: to, data: lines.joined(separator: "\n") + "\n\n" + body)
    }
}

/// One SMTP reply, possibly multi-line.
struct SMTPReply: Sendable, CustomStringConvertible {
    /// The three-digit code.
    let code: Int
    /// The text of each line after the code and separator.
    let lines: [String]

    /// All lines joined with a space, e.g. "5.7.1 rejected".
    var text: String { lines.joined(separator: " ") }
    /// "550 5.7.1 rejected".
    var description: String { "\(code) \(text)" }
    /// 2xx or 3xx.
    var isPositive: Bool { code < 400 }
}

/// What the server answered for one message.
struct SMTPResult: Sendable {
    /// The reply to MAIL FROM.
    var mail: SMTPReply
    /// The reply to each RCPT TO, in order.
    var rcpts: [SMTPReply] = []
    /// The reply to DATA, if it was sent (some recipient was accepted).
    var data: SMTPReply?
    /// The reply after the final dot, if the data was sent.
    var final: SMTPReply?

    /// The last reply the server gave for this message.
    var last: SMTPReply { final ?? data ?? rcpts.last ?? mail }
}

/// What happened on one SMTP connection.
struct SMTPSession: Sendable {
    /// The 220 greeting (or the refusal).
    var greeting: SMTPReply
    /// The reply to EHLO.
    var helo: SMTPReply?
    /// One result per message, in order.
    var results: [SMTPResult] = []
    /// Whether the server closed the connection after a 421 reply (checked only when going through refusals).
    var closedByServer = false
}

/// A small blocking SMTP client (run off the cooperative pool) for driving Postfix in tests.
enum SMTPClient {
    /// Sends `messages` on one connection to `host`:`port`, then QUIT. Every read times out after
    /// `timeout`, longer than the private Postfix's milter timeouts so that Postfix gives up first.
    /// `throughRefusals` goes on after a greeting or EHLO reply other than 220 or 250 unless it is a 421, after
    /// which (or after a message's last reply being 421) it checks that the server closed the connection
    /// (``SMTPSession/closedByServer``).
    static func session(
        host: String = "127.0.0.1", port: Int, helo: String = "client.interop.test", messages: [SMTPMessage],
        timeout: Duration = .seconds(120), throughRefusals: Bool = false
    ) async throws -> SMTPSession {
        try await offPool {
            let connection = try LineConnection(host: host, port: port, timeout: timeout)
            defer { connection.close() }
            var session = SMTPSession(greeting: try connection.readReply())
            /// Whether the session stops after `reply`, which was expected to be `code`.
            func stops(after reply: SMTPReply, expected code: Int) -> Bool {
                guard reply.code != code else { return false }
                guard throughRefusals else { return true }
                guard reply.code == 421 else { return false }
                session.closedByServer = connection.closedByPeer()
                return true
            }
            if stops(after: session.greeting, expected: 220) { return session }
            let heloReply = try connection.command("EHLO \(helo)")
            session.helo = heloReply
            if stops(after: heloReply, expected: 250) { return session }
            for message in messages {
                let result = try send(message, on: connection)
                session.results.append(result)
                if throughRefusals, result.last.code == 421 {
                    session.closedByServer = connection.closedByPeer()
                    return session
                }
            }
            _ = try? connection.command("QUIT")
            return session
        }
    }

    /// Sends one message on a fresh connection and returns its result.
    static func send(_ message: SMTPMessage, host: String = "127.0.0.1", port: Int) async throws -> SMTPResult {
        let session = try await self.session(host: host, port: port, messages: [message])
        guard let result = session.results.first else {
            throw HarnessError("SMTP session ended early: \(session.greeting) / \(String(describing: session.helo))")
        }
        return result
    }

    static func send(_ message: SMTPMessage, on connection: LineConnection) throws -> SMTPResult {
        let parameters = message.mailParameters.map { " " + $0 }.joined()
        var result = SMTPResult(mail: try connection.command("MAIL FROM:<\(message.from)>\(parameters)"))
        guard result.mail.code == 250 else { return result }
        for recipient in message.to {
            result.rcpts.append(try connection.command("RCPT TO:<\(recipient)>"))
            // The server is closing the connection.
            if result.rcpts.last?.code == 421 { return result }
        }
        guard result.rcpts.contains(where: { $0.code == 250 }) else {
            _ = try connection.command("RSET")
            return result
        }
        let data = try connection.command("DATA")
        result.data = data
        guard data.code == 354 else { return result }
        try connection.write(dotStuffed(message.data) + ".\r\n")
        result.final = try connection.readReply()
        return result
    }

    /// CRLF line ends, a leading dot doubled, and a final CRLF.
    static func dotStuffed(_ text: String) -> String {
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n") + "\r\n"
    }
}

/// A blocking TCP connection with per-read timeouts and a line reader.
final class LineConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private static let maxLine = 4096

    init(host: String, port: Int, timeout: Duration) throws {
        let address = try NumericSocketAddress(host: host, port: port)
        fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket() failed: errno \(errno)") }
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard address.withPointer({ connect(fd, $0, $1) }) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw HarnessError("connect \(host) port \(port) failed: errno \(code)")
        }
    }

    func close() { Glibc.close(fd) }

    /// Whether the peer closed the connection: end of file within five seconds, no bytes left unread.
    func closedByPeer() -> Bool {
        guard buffer.isEmpty else { return false }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 5000) == 1 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    func command(_ line: String) throws -> SMTPReply {
        try write(line + "\r\n")
        return try readReply()
    }

    func write(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            guard sent > 0 else { throw HarnessError("SMTP write failed: errno \(errno)") }
            offset += sent
        }
    }

    func readReply() throws -> SMTPReply {
        var lines: [String] = []
        while true {
            let line = try readLine()
            guard line.count >= 3, let code = Int(line.prefix(3)) else {
                throw HarnessError("bad SMTP reply line: \(line)")
            }
            lines.append(String(line.dropFirst(4)))
            if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " {
                return SMTPReply(code: code, lines: lines)
            }
        }
    }

    private func readLine() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = buffer[..<newline].filter { $0 != 13 }
                buffer.removeSubrange(...newline)
                return String(decoding: line, as: UTF8.self)
            }
            guard buffer.count < Self.maxLine else { throw HarnessError("SMTP reply line too long") }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw HarnessError("SMTP connection closed or timed out (errno \(errno))") }
            buffer += chunk[..<count]
        }
    }
}
