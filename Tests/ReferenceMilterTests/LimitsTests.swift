import MilterProtocol
import MilterTestSupport
import NIOCore
import NIOEmbedded
import Testing

@testable import ReferenceMilter

@Suite struct LimitsTests {
    @Test func connectionsPastTheLimitGetATempfailAndAreClosed() async throws {
        let milter = try await startMilter { $0.maximumConnections = 1 }
        let first = try await TestMTA.connect(to: milter)
        try await first.negotiate()
        let second = try await TestMTA.connect(to: milter)
        let agreed = try await second.negotiate()
        #expect(agreed.protocolFlags.isEmpty)
        try await second.send([Cmd.connect])
        #expect(try await second.step() == [.tempfail])
        #expect(try await second.isClosed())
        await first.close()
        try await waitUntil { milter.server.connectionCount == 0 }
        let third = try await TestMTA.connect(to: milter)
        try await third.negotiate()
        try await third.send([Cmd.connect, Cmd.helo])
        #expect(try await third.message(Cmd.message(subject: "x")).last == .accept)
        await third.close()
        await milter.shutdown()
    }

    @Test(arguments: [
        [0, 1, 0, 1, 0x42] + [UInt8](repeating: 0x41, count: 16),  // a 65536-byte body chunk announced
        Array("post /milter HTTP/1.1\r\n".utf8),  // SMTP or HTTP text: length 1886352244
        [0, 0, 0, 0, 0x4F],  // length 0
    ])
    func oversizedAndGarbageFramesCloseTheConnectionOnly(bytes: [UInt8]) async throws {
        let milter = try await startMilter()
        let bad = try await TestMTA.connect(to: milter)
        try await bad.negotiate()
        try await bad.sendRaw(bytes)
        #expect(try await bad.isClosed())
        let good = try await TestMTA.connect(to: milter)
        #expect(try await good.negotiate().version == .v6)
        await good.close()
        await milter.shutdown()
    }

    @Test func modificationsAndVerdictLeaveInOneWrite() async throws {
        let scheduler = ClassificationScheduler(threads: 1, timeout: .seconds(30))
        let environment = ConnectionEnvironment(
            classifier: RulesClassifier.default, scheduler: scheduler, options: ProtocolOptions(),
            timeouts: ConnectionTimeouts(), memory: MemoryBudget(), ledger: MemoryLedger(limit: .max),
            logger: quietLogger(), observer: nil)
        let channel = NIOAsyncTestingChannel()
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(
                MilterConnectionHandler(environment: environment, refusing: false, connectionID: 1))
        }.get()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        for command in [Cmd.offer, Cmd.connect, Cmd.helo] + Cmd.message(subject: "tag me") {
            try await channel.writeInbound(try Cmd.bytes(command))
        }
        let negotiation = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
        #expect(negotiation.getInteger(at: 4, as: UInt8.self) == MilterReply.ID.optionNegotiation.rawValue)
        var endOfMessage = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
        var decoder = MilterReplyDecoder()
        var replies: [MilterReply] = []
        while let reply = try decoder.decode(buffer: &endOfMessage) { replies.append(reply) }
        #expect(replies == [.addHeader(HeaderField(name: "X-Reference-Milter", value: " checked")), .accept])
        _ = try await channel.finish()
        scheduler.shutdown()
    }
}
