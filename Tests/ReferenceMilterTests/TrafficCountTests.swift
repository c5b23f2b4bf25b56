import MetricsTestKit
import MilterProtocol
import NIOCore
import Testing

@testable import ReferenceMilter

/// The connection handler counts its connection and the bytes each way (`milter_connections_total`,
/// `milter_connections_open`, `milter_bytes_received_total`, `milter_bytes_sent_total`): every byte the MTA sent
/// and every byte of every reply, the connection open until it closes.
@Suite(.timingSensitive) struct TrafficCountTests {
    @Test func theConnectionAndEveryByteEachWayAreCounted() async throws {
        let metrics = TestMetrics()
        let connection = try await HostilePeerTests.Connection(metrics: ServerMetrics(factory: metrics))
        #expect(try metrics.expectCounter("milter_connections_total").totalValue == 1)
        #expect(try metrics.expectMeter("milter_connections_open").lastValue == 1)
        let commands = HostilePeerTests.opening + Cmd.message(subject: "hi")
        var received = 0
        for command in commands { received += try Cmd.bytes(command).readableBytes }
        try await connection.send(commands)
        // Every reply's bytes, up to the verdict (the classifier's thread writes it).
        var sent = 0
        var decoder = MilterReplyDecoder()
        var last: MilterReply?
        for _ in 0..<2_000 {
            while var buffer = try await connection.channel.readOutbound(as: ByteBuffer.self) {
                sent += buffer.readableBytes
                while let reply = try decoder.decode(buffer: &buffer) { last = reply }
            }
            if let last, last.id != .optionNegotiation, last.id != .continue { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(last == .accept)
        #expect(try metrics.expectCounter("milter_bytes_received_total").totalValue == Int64(received))
        #expect(try metrics.expectCounter("milter_bytes_sent_total").totalValue == Int64(sent))
        try await connection.finish()
        #expect(try metrics.expectMeter("milter_connections_open").lastValue == 0)
        #expect(try metrics.expectCounter("milter_connections_total").totalValue == 1)
    }
}
