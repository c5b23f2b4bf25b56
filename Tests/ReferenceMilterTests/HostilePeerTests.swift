import Logging
import MilterProtocol
import NIOCore
import NIOEmbedded
import Testing

@testable import ReferenceMilter

/// One connection handler on a test channel with a small memory budget: what a hostile peer
/// sends costs a bounded amount, its transaction gets a tempfail, and the connection goes on.
@Suite(.timingSensitive) struct HostilePeerTests {
    static let budget = 256 << 10

    struct Connection {
        let channel = NIOAsyncTestingChannel()
        let ledger: MemoryLedger
        let scheduler: ClassificationScheduler

        init(
            ledger: MemoryLedger = MemoryLedger(limit: .max), budget: Int = HostilePeerTests.budget,
            classifier: any MailClassifier = RulesClassifier.default, classifierTimeout: TimeAmount = .seconds(30),
            logger: Logger = quietLogger(), metrics: ServerMetrics = ServerMetrics(),
            observer: (@Sendable (MailInfo, Decision) -> Void)? = nil
        ) async throws {
            self.ledger = ledger
            let scheduler = ClassificationScheduler(threads: 1, timeout: classifierTimeout)
            self.scheduler = scheduler
            let environment = ConnectionEnvironment(
                classifier: classifier, scheduler: scheduler, options: ProtocolOptions(),
                timeouts: ConnectionTimeouts(handshake: .seconds(5)), memory: MemoryBudget(perConnection: budget),
                ledger: ledger, logger: logger, observer: observer, metrics: metrics)
            let channel = channel
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    MilterConnectionHandler(environment: environment, refusing: false, connectionID: 1))
            }.get()
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        }

        func send(_ commands: [MilterCommand]) async throws {
            for command in commands { try await channel.writeInbound(try Cmd.bytes(command)) }
        }

        /// The replies written so far, decoded.
        func replies() async throws -> [MilterReply] {
            var replies: [MilterReply] = []
            var decoder = MilterReplyDecoder()
            while var buffer = try await channel.readOutbound(as: ByteBuffer.self) {
                while let reply = try decoder.decode(buffer: &buffer) { replies.append(reply) }
            }
            return replies
        }

        /// Waits for the end-of-message reply, which comes from the classifier's thread.
        func verdict() async throws -> MilterReply? {
            var seen: [MilterReply] = []
            for _ in 0..<2_000 {
                seen += try await replies()
                if let last = seen.last, last.id != .optionNegotiation, last.id != .continue { return last }
                try await Task.sleep(for: .milliseconds(5))
            }
            return nil
        }

        func finish() async throws {
            _ = try? await channel.finish()
            scheduler.shutdown()
        }
    }

    static func emptyArguments(_ count: Int) -> [MilterString] { Array(repeating: MilterString(""), count: count) }

    static let opening: [MilterCommand] = [Cmd.offer, Cmd.connect, Cmd.helo]

    @Test func recipientsWithThousandsOfEmptyArgumentsGetATempfailAndMemoryIsGivenBack() async throws {
        let connection = try await Connection()
        try await connection.send(Self.opening + [Cmd.mail("a@example.com")])
        let recipient = MilterCommand.recipient(
            EnvelopeAddress(address: "<b@example.org>", arguments: Self.emptyArguments(8_000)))
        // 40 such recipients are 320,000 empty strings: 10 MB counted, far over 256 KiB.
        try await connection.send(Array(repeating: recipient, count: 40))
        #expect(connection.ledger.total <= Self.budget)
        try await connection.send([.data, Cmd.header("Subject", "x"), .endOfHeaders, Cmd.eom])
        #expect(try await connection.verdict() == .tempfail)
        // The next transaction on the same connection is served as usual.
        try await connection.send(Cmd.message(subject: "fine"))
        #expect(try await connection.verdict() == .accept)
        #expect(connection.ledger.total < 4_096)
        try await connection.finish()
        #expect(connection.ledger.total == 0)
    }

    @Test func emptyHeaderFieldsCostMoreThanTheirWireBytes() async throws {
        let connection = try await Connection()
        try await connection.send(Self.opening + [Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org"), .data])
        // 3,000 empty fields are 12 KB on the wire and over 256 KiB in memory.
        let empty = MilterCommand.header(HeaderField(name: "", value: ""))
        try await connection.send(Array(repeating: empty, count: 3_000) + [.endOfHeaders, Cmd.eom])
        #expect(try await connection.verdict() == .tempfail)
        try await connection.finish()
    }

    /// A body past the budget is cut, and the end of message's MACRO packet (Postfix's `i`), which
    /// comes once the budget is spent, is paid for by the body: the message is classified with its
    /// body cut, as `--memory-budget` is documented, where it got a tempfail without a reason.
    @Test func aBodyPastTheBudgetIsCutAndTheMessageClassified() async throws {
        let classifier = RecordingClassifier()
        let connection = try await Connection(classifier: classifier)
        try await connection.send(
            Self.opening + [Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org"), .data, Cmd.header("Subject", "big")]
                + [.endOfHeaders])
        let line = String(repeating: "x", count: 76) + "\r\n"
        let chunk = Cmd.body(String(repeating: line, count: 800))  // 62,400 bytes
        try await connection.send(Array(repeating: chunk, count: 6))  // 374,400 bytes, past 256 KiB
        try await connection.send([Cmd.macros(.endOfMessage, ["i": "4TESTQUEUEID"]), Cmd.eom])
        #expect(try await connection.verdict() == .accept)
        let mail = try #require(classifier.seen.first)
        #expect(mail.isBodyTruncated)
        #expect(mail.body.count > Self.budget / 2 && mail.body.count < Self.budget, "\(mail.body.count)")
        #expect(mail.macros.stage(.endOfMessage)["i"] == "4TESTQUEUEID")
        try await connection.finish()
    }

    @Test func theTotalBudgetBindsAcrossConnections() async throws {
        let ledger = MemoryLedger(limit: Self.budget + Self.budget / 2)
        let first = try await Connection(ledger: ledger)
        let second = try await Connection(ledger: ledger)
        let header = MilterCommand.header(
            HeaderField(name: "X", value: MilterString(String(repeating: "v", count: 900))))
        for connection in [first, second] {
            try await connection.send(Self.opening + [Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org"), .data])
            // 200 fields of ~1 KB: under one connection's budget, over what the total leaves the second.
            try await connection.send(Array(repeating: header, count: 200))
        }
        #expect(ledger.total <= ledger.limit)
        try await first.send([.endOfHeaders, Cmd.eom])
        try await second.send([.endOfHeaders, Cmd.eom])
        #expect(try await first.verdict() == .accept)
        #expect(try await second.verdict() == .tempfail)
        try await first.finish()
        try await second.finish()
        #expect(ledger.total == 0)
    }

    /// Commands sent while the classifier works wait in a queue charged to the budget: past it, the
    /// connection is closed. MACRO packets are legal there, so only the budget can close it.
    ///
    /// The classifier answers only when cancelled (by the close): one that gave up after seconds of real time
    /// answered before a test starved of CPU sent the packets, which then went unqueued and closed nothing.
    @Test func commandsQueuedBehindTheClassifierAreCharged() async throws {
        let connection = try await Connection(
            classifier: DrainDeadlineTests.StalledClassifier(), classifierTimeout: .seconds(5))
        try await connection.send(Self.opening + Cmd.message(subject: "hang"))
        let pairs = (0..<1_000).map { MacroDefinition.Macro(name: MilterString("m\($0)"), value: "") }
        // 1,000 pairs cost 64 KiB each packet: five packets are over 256 KiB.
        try await connection.send(Array(repeating: .macro(MacroDefinition(stage: .mail, macros: pairs)), count: 5))
        try await connection.channel.closeFuture.get()
        try await connection.finish()
        #expect(connection.ledger.total == 0)
    }

    @Test func anUnknownMacroStageClosesTheConnection() async throws {
        let connection = try await Connection()
        try await connection.send(Self.opening)
        try await connection.send([.macro(MacroDefinition(stage: 0x7A, macros: [.init(name: "i", value: "Q")]))])
        try await connection.channel.closeFuture.get()
        try await connection.finish()
    }

    @Test func aPeerThatSendsNoCONNECTIsClosedAfterTheHandshakeTimeout() async throws {
        let silent = try await Connection()
        let negotiatedOnly = try await Connection()
        let connected = try await Connection()
        try await negotiatedOnly.send([Cmd.offer])
        try await connected.send([Cmd.offer, Cmd.connect])
        for connection in [silent, negotiatedOnly, connected] {
            await connection.channel.testingEventLoop.advanceTime(by: .seconds(6))
        }
        try await silent.channel.closeFuture.get()
        #expect(!negotiatedOnly.channel.isActive)
        #expect(connected.channel.isActive)
        for connection in [silent, negotiatedOnly, connected] { try await connection.finish() }
    }

    @Test func readingStopsWhileThePeerDoesNotReadOurReplies() async throws {
        let connection = try await Connection()
        try await connection.send(Self.opening)
        connection.channel.isWritable = false
        connection.channel.pipeline.fireChannelWritabilityChanged()
        try await connection.channel.testingEventLoop.executeInContext {}
        #expect(
            connection.channel.options.last { $0.option is ChannelOptions.Types.AutoReadOption }?.value as? Bool
                == false)
        connection.channel.isWritable = true
        connection.channel.pipeline.fireChannelWritabilityChanged()
        try await connection.channel.testingEventLoop.executeInContext {}
        #expect(
            connection.channel.options.last { $0.option is ChannelOptions.Types.AutoReadOption }?.value as? Bool == true
        )
        try await connection.finish()
    }

    @Test func ledgerAndConnectionMemoryNeverGoOverTheirLimits() {
        let ledger = MemoryLedger(limit: 1_000)
        let first = ConnectionMemory(limit: 800, ledger: ledger)
        let second = ConnectionMemory(limit: 800, ledger: ledger)
        #expect(first.charge(700))
        #expect(!first.charge(200))
        #expect(!second.charge(400))
        #expect(second.charge(300))
        #expect(ledger.total == 1_000)
        first.releaseAll()
        second.release(5_000)
        #expect(ledger.total == 0)
        #expect(second.used == 0)
    }
}
