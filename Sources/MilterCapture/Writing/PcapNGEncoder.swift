import NIOCore

/// Encodes a single-interface pcapng file: a Section Header Block, one Interface Description Block with
/// nanosecond timestamps, then one Enhanced Packet Block per packet. Little-endian, as most writers do.
public struct PcapNGEncoder: Sendable {
    /// The link type of the one interface.
    public let linkType: LinkType
    /// The name recorded in the section header's `shb_userappl` option.
    public let application: String

    /// Creates an encoder.
    public init(linkType: LinkType, application: String = "swift-milter") {
        self.linkType = linkType
        self.application = application
    }

    /// The section header and interface description that start the file.
    public func fileHeader() -> ByteBuffer {
        var buffer = ByteBuffer()
        writeBlock(type: PcapNGReader.sectionHeaderType, into: &buffer) { body in
            body.writeInteger(PcapNGReader.byteOrderMagic, endianness: .little)
            body.writeInteger(UInt16(1), endianness: .little)
            body.writeInteger(UInt16(0), endianness: .little)
            body.writeInteger(Int64(-1), endianness: .little)  // section length unknown: written as a stream
            writeOption(code: 4, value: Array(application.utf8), into: &body)
            writeOption(code: 0, value: [], into: &body)
        }
        writeBlock(type: 1, into: &buffer) { body in
            body.writeInteger(UInt16(truncatingIfNeeded: linkType.rawValue), endianness: .little)
            body.writeInteger(UInt16(0), endianness: .little)
            body.writeInteger(UInt32(262_144), endianness: .little)
            writeOption(code: 9, value: [9], into: &body)  // if_tsresol: nanoseconds
            writeOption(code: 0, value: [], into: &body)
        }
        return buffer
    }

    /// An Enhanced Packet Block holding the whole of `frame`.
    public func packet(_ frame: ByteBuffer, at timestamp: CaptureTimestamp) -> ByteBuffer {
        var buffer = ByteBuffer()
        let ticks = UInt64(bitPattern: timestamp.totalNanoseconds)
        writeBlock(type: 6, into: &buffer) { body in
            body.writeInteger(UInt32(0), endianness: .little)
            body.writeInteger(UInt32(ticks >> 32), endianness: .little)
            body.writeInteger(UInt32(ticks & 0xFFFF_FFFF), endianness: .little)
            body.writeInteger(UInt32(frame.readableBytes), endianness: .little)
            body.writeInteger(UInt32(frame.readableBytes), endianness: .little)
            body.writeImmutableBuffer(frame)
            body.writeRepeatingByte(0, count: padding(frame.readableBytes))
        }
        return buffer
    }

    private func writeBlock(type: UInt32, into buffer: inout ByteBuffer, body: (inout ByteBuffer) -> Void) {
        var content = ByteBuffer()
        body(&content)
        let length = UInt32(content.readableBytes + 12)
        buffer.writeInteger(type, endianness: .little)
        buffer.writeInteger(length, endianness: .little)
        buffer.writeImmutableBuffer(content)
        buffer.writeInteger(length, endianness: .little)
    }

    private func writeOption(code: UInt16, value: [UInt8], into body: inout ByteBuffer) {
        body.writeInteger(code, endianness: .little)
        body.writeInteger(UInt16(value.count), endianness: .little)
        body.writeBytes(value)
        body.writeRepeatingByte(0, count: padding(value.count))
    }

    private func padding(_ count: Int) -> Int { (4 - count % 4) % 4 }
}
