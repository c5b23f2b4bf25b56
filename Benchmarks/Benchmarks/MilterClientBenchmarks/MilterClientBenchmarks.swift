// MilterClient against the embedded reference milter over loopback, both in this process: one
// Postfix-shaped message (one RCPT, 10 headers, a 4 KB body, the shape scripts/load-vs-c-client.sh
// sends) per iteration on one open connection. mallocCountTotal counts both sides together; the
// wall clock is the round trip of the message's 16 steps and ABORT. Throughput against a C client
// is scripts/load-vs-c-client.sh's job (README.md, "Load").
import Benchmark
import Logging
import MailMessage
import MilterClient
import MilterProtocol
import ReferenceMilter
import Synchronization

/// What the setup started, for the teardown to stop.
let started = Mutex<(milter: EmbeddedMilter, connection: MilterClientConnection)?>(nil)

/// The message: 10 header fields and 55 lines of 72 characters.
let message: MilterMessage = {
    var text = "From: sender@example.com\r\nTo: rcpt@example.org\r\nSubject: load\r\n"
    text += "Date: Sat, 28 Nov 2026 00:00:00 +0000\r\nMessage-ID: <load@example.com>\r\nMIME-Version: 1.0\r\n"
    text += "Content-Type: text/plain\r\nX-Mailer: load\r\nX-Load-Index: 1\r\nReceived-SPF: none\r\n\r\n"
    text += String(repeating: String(repeating: "0", count: 72) + "\r\n", count: 55)
    return MilterMessage(
        sender: EnvelopeAddress(mailbox: "sender@example.com"),
        recipients: [EnvelopeAddress(mailbox: "rcpt@example.org")],
        content: RawMessage(parsing: Array(text.utf8)))
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(5), maxIterations: 20_000)

    Benchmark("send: one message to the reference milter (1 RCPT, 10 headers, 4 KB body)") {
        (benchmark: Benchmark, connection: MilterClientConnection) async in
        for _ in benchmark.scaledIterations { blackHole(await connection.send(message)) }
    } setup: {
        var logger = Logger(label: "reference-milter.benchmark")
        logger.logLevel = .warning  // no line per message
        let milter = try await EmbeddedMilter.start(logger: logger)
        let connection = try await MilterClientConnection.open(to: .inet(host: milter.host, port: milter.port))
        await connection.connect()
        await connection.helo()
        started.withLock { $0 = (milter, connection) }
        return connection
    } teardown: {
        guard let (milter, connection) = started.withLock({ $0 }) else { return }
        await connection.quit()
        await milter.shutdown()
    }
}
