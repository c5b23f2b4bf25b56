import MilterCapture
import MilterProtocol
import NIOCore

/// A Postfix-like milter conversation turned into TCP segments, which tests then damage and write to a file.
enum MilterConversation {
    enum Step {
        case mta([MilterCommand])
        case milter([MilterReply])
    }

    static let offer = OptionNegotiation(
        version: .v6, actions: MilterActions(rawValue: 0x1FF), protocolFlags: .all, symbolLists: [])
    static let answer = OptionNegotiation(
        version: .v6, actions: .addHeaders, protocolFlags: MilterProtocolFlags(rawValue: 0x0), symbolLists: [])

    static func steps(body: String = "Hello, world.\r\n") -> [Step] {
        [
            .mta([.optionNegotiation(offer)]), .milter([.optionNegotiation(answer)]),
            .mta([
                .macro(MacroDefinition(stage: .connect, macros: [.init(name: "j", value: "mx.example.org")])),
                .connect(ConnectInfo(hostname: "client.example.net", address: .inet(address: "192.0.2.7", port: 4567))),
            ]),
            .milter([.continue]), .mta([.helo("client.example.net")]), .milter([.continue]),
            .mta([.mail(EnvelopeAddress(address: "<alice@example.net>", arguments: ["SIZE=100"]))]),
            .milter([.continue]),
            .mta([.recipient(EnvelopeAddress(address: "<bob@example.org>"))]), .milter([.continue]),
            .mta([.recipient(EnvelopeAddress(address: "<carol@example.org>"))]), .milter([.continue]),
            .mta([.data]), .milter([.continue]),
            .mta([.header(HeaderField(name: "Subject", value: "Greetings"))]), .milter([.continue]),
            .mta([.header(HeaderField(name: "From", value: "Alice <alice@example.net>"))]), .milter([.continue]),
            .mta([.endOfHeaders]), .milter([.continue]),
            .mta([.body(ByteBuffer(text: body))]), .milter([.continue]),
            .mta([.endOfMessage(ByteBuffer())]),
            .milter([.addHeader(HeaderField(name: "X-Checked", value: "yes")), .accept]),
            .mta([.abort, .quit]),
        ]
    }

    /// Segments of one connection: handshake, one segment per step, FIN exchange.
    static func segments(
        _ steps: [Step], client: Endpoint = PacketFactory.client4, server: Endpoint = PacketFactory.server4
    ) throws -> [TCPSegment] {
        var flow = SynthesizedTCPFlow(client: client, server: server)
        var encoder = MilterEncoder()
        var segments = flow.open()
        for step in steps {
            switch step {
            case .mta(let commands):
                segments += flow.send(try encoder.encode(commands: commands), from: .clientToServer)
            case .milter(let replies):
                segments += flow.send(try encoder.encode(replies: replies), from: .serverToClient)
            }
        }
        return segments + flow.close(from: .clientToServer)
    }

    /// A pcap file on an Ethernet link; `cut` maps a segment index to a snap length applied to its frame.
    static func pcap(_ segments: [TCPSegment], snapLengths: [Int: Int] = [:]) -> [UInt8] {
        var builder = PcapBuilder(endianness: .little, linkType: .ethernet)
        for (index, segment) in segments.enumerated() {
            let frame = PacketSynthesizer.frame(segment, link: .ethernet)
            let length = min(frame.readableBytes, snapLengths[index] ?? .max)
            builder.add(
                frame.getSlice(at: frame.readerIndex, length: length)!, seconds: 1_700_000_000,
                fraction: UInt32(index * 1000), originalLength: frame.readableBytes)
        }
        return builder.array
    }

    static func scan(
        _ bytes: [UInt8], options: MilterExtractionOptions = MilterExtractionOptions()
    ) throws
        -> (sessions: [CapturedSession], statistics: CaptureStatistics, captureIssues: [CaptureIssue])
    {
        var scanner = MilterCaptureScanner(reader: try CaptureReader(bytes: bytes), options: options)
        var collector = CapturedSessionCollector()
        var sessions: [CapturedSession] = []
        while let session = try scanner.nextSession(collector: &collector) { sessions.append(session) }
        return (sessions, scanner.statistics, collector.captureIssues)
    }
}

extension CapturedFrame {
    var commandID: MilterCommand.ID? {
        if case .command(let command) = decoded { return command.id }
        return nil
    }
}
