import MilterTestSupport

extension SMTPClient {
    /// Plays `steps` on one connection to `port` on 127.0.0.1 after the greeting, `message` for each
    /// ``SessionEndCase/Step/message``, then QUIT; it goes on through refusals but stops after a 421. Returns the
    /// greeting and each step's last reply.
    static func session(
        port: Int, steps: [SessionEndCase.Step], message: SMTPMessage, timeout: Duration = .seconds(120)
    ) async throws -> [SMTPReply] {
        try await offPool {
            let connection = try LineConnection(host: "127.0.0.1", port: port, timeout: timeout)
            defer { connection.close() }
            var replies = [try connection.readReply()]
            for step in steps where replies.last?.code != 421 {
                switch step {
                case .helo(let name): replies.append(try connection.command("EHLO \(name)"))
                case .message: replies.append(try send(message, on: connection).last)
                case .reset: replies.append(try connection.command("RSET"))
                case .envelope:
                    _ = try connection.command("MAIL FROM:<\(message.from)>")
                    replies.append(try connection.command("RCPT TO:<\(message.to[0])>"))
                }
            }
            if replies.last?.code != 421 { _ = try? connection.command("QUIT") }
            return replies
        }
    }
}
