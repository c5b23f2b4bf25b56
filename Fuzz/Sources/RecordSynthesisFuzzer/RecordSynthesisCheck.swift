// The check behind RecordSynthesisFuzzer, also compiled into MilterCaptureTests (a symbolic link there),
// which replays the seeds in fixtures/fuzz/recordsynthesis/ with it.
import MailMessage
import MilterCapture
import NIOCore

/// Reads the input a few bytes at a time; zeros once it is used up.
struct InputReader {
    var bytes: ArraySlice<UInt8>
    mutating func byte() -> UInt8 { bytes.popFirst() ?? 0 }
    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T {
        (0..<MemoryLayout<T>.size).reduce(T(0)) { value, _ in value << 8 | T(byte()) }
    }
    mutating func endpoint(v6: Bool) -> Endpoint {
        let address: IPAddress = v6 ? .v6(integer(UInt64.self), integer(UInt64.self)) : .v4(integer(UInt32.self))
        return Endpoint(address: address, port: integer(UInt16.self))
    }
}

/// How many large chunks (up to 64 KiB of a repeated byte) one input may ask for.
let maximumLargeChunks = 2

/// Records a connection whose endpoints and chunks come from `input`, reads the recording back, and
/// returns what is wrong with it, or `nil`.
func recordSynthesisProblem(_ input: [UInt8]) -> String? {
    var reader = InputReader(bytes: input[...])
    let shape = reader.byte()
    let link: SynthesizedLink = shape & 4 == 0 ? .loopback : .ethernet
    let client = reader.endpoint(v6: shape & 1 != 0)
    let server = reader.endpoint(v6: shape & 2 != 0)
    var recorder = CaptureRecorder(link: link)
    var file = recorder.fileHeader()
    var time = CaptureTimestamp(seconds: Int64(reader.integer(UInt32.self)), nanoseconds: 0)
    let (connection, opening) = recorder.open(client: client, server: server, at: time)
    file.writeImmutableBuffer(opening)
    var sent = [0, 0]
    var largeChunks = 0
    while !reader.bytes.isEmpty {
        let control = reader.byte()
        let direction: StreamDirection = control & 0x80 == 0 ? .clientToServer : .serverToClient
        // Up to 127 bytes from the input, or a large chunk (several segments) of a repeated byte.
        // At most `maximumLargeChunks` large chunks per input (one each way is what the segment
        // split at 65,495 bytes and the sequence numbers of both directions need): each costs a
        // 64 KiB write, checksum, read-back and decode under ASan, and inputs of a few hundred bytes
        // asked for dozens (the target ran at about 1,000 inputs a second on an idle core).
        let count = Int(control & 0x7F)
        var chunk = ByteBuffer()
        if count == 0x7F, largeChunks < maximumLargeChunks {
            largeChunks += 1
            chunk.writeRepeatingByte(reader.byte(), count: Int(reader.integer(UInt16.self)) + 1)
        } else {
            chunk.writeBytes(reader.bytes.prefix(count))
            reader.bytes = reader.bytes.dropFirst(count)
        }
        time.nanoseconds = (time.nanoseconds + 1000) % 1_000_000_000
        sent[direction.rawValue] += chunk.readableBytes
        file.writeImmutableBuffer(recorder.record(chunk, from: direction, on: connection, at: time))
    }
    file.writeImmutableBuffer(recorder.close(connection, from: .clientToServer, at: time))

    var received = [0, 0]
    let (mta, milter) = PacketSynthesizer.sameFamily(client.address, server.address)
    let ends = [Endpoint(address: mta, port: client.port), Endpoint(address: milter, port: server.port)]
    do {
        var capture = try CaptureReader(bytes: Array(file.readableBytesView))
        while let packet = try capture.next() {
            guard case .tcp(let segment) = PacketDecoder.decode(packet) else { return "a packet that is not TCP" }
            guard let side = ends.firstIndex(of: segment.source) else { return "a segment from neither endpoint" }
            received[side] += segment.payload.readableBytes
        }
        if let cut = capture.truncation { return "the recording reads back cut short: \(cut)" }
    } catch {
        return "the recording does not read back: \(error)"
    }
    if received[0] + received[1] != sent[0] + sent[1] { return "payload bytes lost: \(sent) sent, \(received) read" }
    // Same endpoint on both sides: the directions cannot be told apart, only the total counts.
    if ends[0] != ends[1], received != sent { return "payload bytes moved: \(sent) sent, \(received) read" }
    return nil
}
