import NIOCore

/// What an Interface Description Block says about the packets of one interface.
struct PcapNGInterface {
    var linkType: LinkType
    var snapLength: UInt32
    /// Timestamp ticks per second (`if_tsresol`); the default is microseconds.
    var ticksPerSecond: UInt64 = 1_000_000
    /// Seconds added to every timestamp (`if_tsoffset`).
    var offsetSeconds: Int64 = 0

    /// Converts a 64-bit tick count into a timestamp.
    func timestamp(ticks: UInt64) -> CaptureTimestamp {
        let seconds = ticks / ticksPerSecond
        let remainder = ticks % ticksPerSecond
        // remainder < ticksPerSecond, so remainder * 1e9 / ticksPerSecond < 1e9; the product needs 128 bits.
        let product = remainder.multipliedFullWidth(by: 1_000_000_000)
        let nanoseconds = ticksPerSecond.dividingFullWidth(product).quotient
        return CaptureTimestamp(
            seconds: Int64(truncatingIfNeeded: seconds) &+ offsetSeconds, nanoseconds: UInt32(nanoseconds))
    }

    /// Parses the body of an IDB (after the block type and length).
    static func parse(body: ByteBuffer, endianness: Endianness, at offset: UInt64) throws(CaptureError) -> Self {
        var body = body
        guard let type = body.readInteger(endianness: endianness, as: UInt16.self),
            body.readInteger(endianness: endianness, as: UInt16.self) != nil,
            let snap = body.readInteger(endianness: endianness, as: UInt32.self)
        else { throw CaptureError(.malformed, at: offset, "interface description block too short") }
        var interface = PcapNGInterface(linkType: LinkType(rawValue: UInt32(type)), snapLength: snap)
        for option in try PcapNGOptions.parse(body, endianness: endianness, at: offset) {
            try interface.apply(option, endianness: endianness, at: offset)
        }
        return interface
    }

    private mutating func apply(
        _ option: PcapNGOptions.Option, endianness: Endianness, at offset: UInt64
    ) throws(CaptureError) {
        switch option.code {
        case 9:  // if_tsresol
            guard let byte = option.value.getInteger(at: option.value.readerIndex, as: UInt8.self) else { return }
            ticksPerSecond = try Self.ticksPerSecond(resolution: byte, at: offset)
        case 14:  // if_tsoffset
            guard option.value.readableBytes >= 8 else { return }
            offsetSeconds = option.value.getInteger(
                at: option.value.readerIndex, endianness: endianness, as: Int64.self)!
        default:
            break
        }
    }

    private static func ticksPerSecond(resolution: UInt8, at offset: UInt64) throws(CaptureError) -> UInt64 {
        let exponent = UInt64(resolution & 0x7F)
        if resolution & 0x80 != 0 {
            guard exponent <= 63 else { throw invalid(resolution, offset) }
            return 1 << exponent
        }
        guard exponent <= 19 else { throw invalid(resolution, offset) }
        var value: UInt64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    private static func invalid(_ resolution: UInt8, _ offset: UInt64) -> CaptureError {
        CaptureError(.malformed, at: offset, "if_tsresol \(resolution) is out of range")
    }
}

/// The options at the end of a pcapng block: code, length, value padded to 4 bytes, until opt_endofopt.
enum PcapNGOptions {
    struct Option {
        var code: UInt16
        var value: ByteBuffer
    }

    static func parse(
        _ buffer: ByteBuffer, endianness: Endianness, at offset: UInt64
    ) throws(CaptureError)
        -> [Option]
    {
        var buffer = buffer
        var options: [Option] = []
        while buffer.readableBytes >= 4 {
            let code = buffer.readInteger(endianness: endianness, as: UInt16.self)!
            let length = Int(buffer.readInteger(endianness: endianness, as: UInt16.self)!)
            if code == 0 { break }
            let padded = (length + 3) & ~3
            guard buffer.readableBytes >= padded, let value = buffer.readSlice(length: length) else {
                throw CaptureError(.malformed, at: offset, "option \(code) of \(length) bytes overruns its block")
            }
            buffer.moveReaderIndex(forwardBy: padded - length)
            options.append(Option(code: code, value: value))
        }
        return options
    }
}
