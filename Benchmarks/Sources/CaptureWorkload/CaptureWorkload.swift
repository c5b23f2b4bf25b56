import MilterCapture
import MilterProtocol
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A large synthetic capture for `--dump` measurements: a pcap (microseconds, Ethernet) of Postfix-like milter
/// sessions, one after another. Each session has 12 headers and a 20 kB body, each frame in its own segment,
/// as Postfix and libmilter write them. Shared by `pcap-generate` (scripts/pcap-dump-vs-tcpdump.sh) and the
/// MilterCapture benchmarks.
public enum CaptureWorkload {
    /// What was written.
    public struct Written: Sendable {
        /// Milter sessions.
        public var sessions: Int
        /// Bytes in the file.
        public var bytes: Int
    }

    /// Writes sessions to a new file at `path` until it holds at least `megabytes` MiB.
    public static func write(to path: String, megabytes: Int) throws -> Written {
        guard let file = fopen(path, "wb") else { throw WriteError(path: path) }
        defer { fclose(file) }
        var output = PcapFile(file)
        let body = ByteBuffer(
            string: String(repeating: "The quick brown fox jumps over the lazy dog, again.\r\n", count: 400))
        var encoder = MilterEncoder()
        var session = 0
        while output.written < megabytes << 20 {
            let client = Endpoint(address: .v4(0x7F00_0001), port: UInt16(20000 + session % 40000))
            var flow = SynthesizedTCPFlow(
                client: client, server: Endpoint(address: .v4(0x7F00_0001), port: 7044),
                clientISN: UInt32(truncatingIfNeeded: session &* 7919))
            output.record(flow.open())
            for (command, reply) in steps(session: session, body: body) {
                output.record(flow.send(try encoder.encode(commands: [command]), from: .clientToServer))
                if let reply { output.record(flow.send(try encoder.encode(replies: [reply]), from: .serverToClient)) }
            }
            output.record(flow.close(from: .clientToServer))
            session += 1
        }
        return Written(sessions: session, bytes: output.written)
    }

    /// The file could not be created.
    public struct WriteError: Error, CustomStringConvertible {
        /// The path.
        public var path: String
        /// `cannot create PATH`.
        public var description: String { "cannot create \(path)" }
    }

    private static func steps(session: Int, body: ByteBuffer) -> [(MilterCommand, MilterReply?)] {
        let offer = OptionNegotiation(
            version: .v6, actions: MilterActions(rawValue: 0x1FF), protocolFlags: .all, symbolLists: [])
        let answer = OptionNegotiation(version: .v6, actions: .addHeaders, protocolFlags: [], symbolLists: [])
        let connect = ConnectInfo(hostname: "client.example.net", address: .inet(address: "192.0.2.7", port: 4567))
        var steps: [(MilterCommand, MilterReply?)] = [
            (.optionNegotiation(offer), .optionNegotiation(answer)), (.connect(connect), .continue),
            (.helo("client.example.net"), .continue),
            (.mail(EnvelopeAddress(address: MilterString("<sender\(session)@example.net>"))), .continue),
            (.recipient(EnvelopeAddress(address: "<rcpt@example.org>")), .continue), (.data, .continue),
        ]
        for index in 0..<12 {
            let field = HeaderField(
                name: MilterString("X-Header-\(index)"), value: MilterString("value number \(index)"))
            steps.append((.header(field), .continue))
        }
        return steps + [
            (.endOfHeaders, .continue), (.body(body), .continue), (.endOfMessage(ByteBuffer()), .accept),
            (.abort, nil), (.quit, nil),
        ]
    }
}

/// The output file with its running size and clock.
private struct PcapFile {
    let file: UnsafeMutablePointer<FILE>
    var written = 0
    var microseconds: UInt64 = 1_764_288_000_000_000

    init(_ file: UnsafeMutablePointer<FILE>) {
        self.file = file
        var header = ByteBuffer()
        header.writeInteger(UInt32(0xA1B2_C3D4), endianness: .little)
        header.writeInteger(UInt16(2), endianness: .little)
        header.writeInteger(UInt16(4), endianness: .little)
        header.writeInteger(UInt64(0), endianness: .little)
        header.writeInteger(UInt32(262_144), endianness: .little)
        header.writeInteger(UInt32(1), endianness: .little)
        write(header)
    }

    mutating func write(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { _ = fwrite($0.baseAddress, 1, $0.count, file) }
        written += buffer.readableBytes
    }

    mutating func record(_ segments: [TCPSegment]) {
        for segment in segments {
            let frame = PacketSynthesizer.frame(segment, link: .ethernet)
            var record = ByteBuffer()
            microseconds += 50
            record.writeInteger(UInt32(microseconds / 1_000_000), endianness: .little)
            record.writeInteger(UInt32(microseconds % 1_000_000), endianness: .little)
            record.writeInteger(UInt32(frame.readableBytes), endianness: .little)
            record.writeInteger(UInt32(frame.readableBytes), endianness: .little)
            write(record)
            write(frame)
        }
    }
}
