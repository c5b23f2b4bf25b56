import MilterCapture
import MilterProtocol
import NIOCore

// pcap-generate FILE MEGABYTES: writes a pcap (microseconds, Ethernet) of Postfix-like milter sessions, one after
// another, until the file reaches MEGABYTES. Each session has 12 headers and a 20 kB body, each frame in its
// own segment, as Postfix and libmilter write them.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3, let megabytes = Int(arguments[2]), let file = fopen(arguments[1], "wb") else {
    print("usage: pcap-generate FILE MEGABYTES")
    exit(2)
}

/// The output file with its running size and clock.
struct PcapFile {
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

var output = PcapFile(file)
let body = ByteBuffer(string: String(repeating: "The quick brown fox jumps over the lazy dog, again.\r\n", count: 400))
let offer = OptionNegotiation(
    version: .v6, actions: MilterActions(rawValue: 0x1FF), protocolFlags: .all, symbolLists: [])
let answer = OptionNegotiation(version: .v6, actions: .addHeaders, protocolFlags: [], symbolLists: [])
var encoder = MilterEncoder()
var session = 0
while output.written < megabytes << 20 {
    let client = Endpoint(address: .v4(0x7F00_0001), port: UInt16(20000 + session % 40000))
    var flow = SynthesizedTCPFlow(
        client: client, server: Endpoint(address: .v4(0x7F00_0001), port: 7044),
        clientISN: UInt32(truncatingIfNeeded: session &* 7919))
    output.record(flow.open())
    var steps: [(MilterCommand, MilterReply?)] = [
        (.optionNegotiation(offer), .optionNegotiation(answer)),
        (
            .connect(ConnectInfo(hostname: "client.example.net", address: .inet(address: "192.0.2.7", port: 4567))),
            .continue
        ),
        (.helo("client.example.net"), .continue),
        (.mail(EnvelopeAddress(address: MilterString("<sender\(session)@example.net>"))), .continue),
        (.recipient(EnvelopeAddress(address: "<rcpt@example.org>")), .continue), (.data, .continue),
    ]
    for index in 0..<12 {
        steps.append(
            (
                .header(
                    HeaderField(name: MilterString("X-Header-\(index)"), value: MilterString("value number \(index)"))),
                .continue
            ))
    }
    steps += [
        (.endOfHeaders, .continue), (.body(body), .continue), (.endOfMessage(ByteBuffer()), .accept),
        (.abort, nil), (.quit, nil),
    ]
    for (command, reply) in steps {
        output.record(flow.send(try! encoder.encode(commands: [command]), from: .clientToServer))
        if let reply { output.record(flow.send(try! encoder.encode(replies: [reply]), from: .serverToClient)) }
    }
    output.record(flow.close(from: .clientToServer))
    session += 1
}
fclose(file)
print("\(session) sessions, \(output.written) bytes")
