import MilterCapture
import NIOCore

/// Builds capture files byte by byte, independently of the module's own writer.
struct PcapBuilder {
    var endianness: Endianness
    var nanosecond: Bool
    var bytes = ByteBuffer()

    init(endianness: Endianness, nanosecond: Bool = false, linkType: LinkType, snapLength: UInt32 = 262_144) {
        self.endianness = endianness
        self.nanosecond = nanosecond
        bytes.writeInteger(nanosecond ? UInt32(0xA1B2_3C4D) : 0xA1B2_C3D4, endianness: endianness)
        bytes.writeInteger(UInt16(2), endianness: endianness)
        bytes.writeInteger(UInt16(4), endianness: endianness)
        bytes.writeInteger(UInt32(0), endianness: endianness)
        bytes.writeInteger(UInt32(0), endianness: endianness)
        bytes.writeInteger(snapLength, endianness: endianness)
        bytes.writeInteger(linkType.rawValue, endianness: endianness)
    }

    mutating func add(
        _ data: ByteBuffer, seconds: UInt32 = 1_700_000_000, fraction: UInt32 = 0, originalLength: Int? = nil
    ) {
        bytes.writeInteger(seconds, endianness: endianness)
        bytes.writeInteger(fraction, endianness: endianness)
        bytes.writeInteger(UInt32(data.readableBytes), endianness: endianness)
        bytes.writeInteger(UInt32(originalLength ?? data.readableBytes), endianness: endianness)
        bytes.writeImmutableBuffer(data)
    }

    var array: [UInt8] { Array(bytes.readableBytesView) }
}

struct PcapNGBuilder {
    var endianness: Endianness
    var bytes = ByteBuffer()

    init(endianness: Endianness) {
        self.endianness = endianness
        section()
    }

    mutating func section(endianness newEndianness: Endianness? = nil) {
        if let newEndianness { endianness = newEndianness }
        block(0x0A0D_0D0A) { body, e in
            body.writeInteger(UInt32(0x1A2B_3C4D), endianness: e)
            body.writeInteger(UInt16(1), endianness: e)
            body.writeInteger(UInt16(0), endianness: e)
            body.writeInteger(Int64(-1), endianness: e)
        }
    }

    mutating func interface(
        _ linkType: LinkType, snapLength: UInt32 = 0, resolution: UInt8? = nil, offset: Int64? = nil
    ) {
        block(1) { body, e in
            body.writeInteger(UInt16(linkType.rawValue), endianness: e)
            body.writeInteger(UInt16(0), endianness: e)
            body.writeInteger(snapLength, endianness: e)
            if let resolution {
                body.writeInteger(UInt16(9), endianness: e)
                body.writeInteger(UInt16(1), endianness: e)
                body.writeBytes([resolution, 0, 0, 0])
            }
            if let offset {
                body.writeInteger(UInt16(14), endianness: e)
                body.writeInteger(UInt16(8), endianness: e)
                body.writeInteger(offset, endianness: e)
            }
            body.writeInteger(UInt32(0), endianness: e)
        }
    }

    mutating func enhancedPacket(interface: UInt32, ticks: UInt64, _ data: ByteBuffer, originalLength: Int? = nil) {
        block(6) { body, e in
            body.writeInteger(interface, endianness: e)
            body.writeInteger(UInt32(ticks >> 32), endianness: e)
            body.writeInteger(UInt32(ticks & 0xFFFF_FFFF), endianness: e)
            body.writeInteger(UInt32(data.readableBytes), endianness: e)
            body.writeInteger(UInt32(originalLength ?? data.readableBytes), endianness: e)
            Self.padded(data, into: &body)
        }
    }

    mutating func obsoletePacket(interface: UInt16, ticks: UInt64, _ data: ByteBuffer) {
        block(2) { body, e in
            body.writeInteger(interface, endianness: e)
            body.writeInteger(UInt16(0), endianness: e)
            body.writeInteger(UInt32(ticks >> 32), endianness: e)
            body.writeInteger(UInt32(ticks & 0xFFFF_FFFF), endianness: e)
            body.writeInteger(UInt32(data.readableBytes), endianness: e)
            body.writeInteger(UInt32(data.readableBytes), endianness: e)
            Self.padded(data, into: &body)
        }
    }

    mutating func simplePacket(_ data: ByteBuffer, originalLength: Int? = nil) {
        block(3) { body, e in
            body.writeInteger(UInt32(originalLength ?? data.readableBytes), endianness: e)
            Self.padded(data, into: &body)
        }
    }

    mutating func unknownBlock(type: UInt32, length: Int) {
        block(type) { body, _ in body.writeRepeatingByte(0xEE, count: length) }
    }

    mutating func block(_ type: UInt32, body write: (inout ByteBuffer, Endianness) -> Void) {
        var body = ByteBuffer()
        write(&body, endianness)
        let length = UInt32(12 + body.readableBytes)
        bytes.writeInteger(type, endianness: endianness)
        bytes.writeInteger(length, endianness: endianness)
        bytes.writeBuffer(&body)
        bytes.writeInteger(length, endianness: endianness)
    }

    static func padded(_ data: ByteBuffer, into body: inout ByteBuffer) {
        body.writeImmutableBuffer(data)
        body.writeRepeatingByte(0, count: (4 - data.readableBytes % 4) % 4)
    }

    var array: [UInt8] { Array(bytes.readableBytesView) }
}

extension ByteBuffer {
    init(_ bytes: [UInt8]) {
        self.init()
        writeBytes(bytes)
    }

    init(text: String) {
        self.init()
        writeString(text)
    }
}

func readAll(_ bytes: [UInt8], limits: CaptureReaderLimits = CaptureReaderLimits()) throws -> [CapturePacket] {
    var reader = try CaptureReader(bytes: bytes, limits: limits)
    var packets: [CapturePacket] = []
    while let packet = try reader.next() { packets.append(packet) }
    return packets
}
