/// HdrHistogram's ZigZag LEB128 numbers: 7 bits a byte, low bits first, the ninth byte holding 8.
enum ZigZag {
    static func append(_ value: Int64, to bytes: inout [UInt8]) {
        var rest = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        for _ in 0..<8 {
            if rest < 0x80 {
                bytes.append(UInt8(rest))
                return
            }
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: rest))
    }

    /// The next number of `bytes`, which it consumes; `nil` when they end inside it.
    static func read(_ bytes: inout ArraySlice<UInt8>) -> Int64? {
        var raw: UInt64 = 0
        for position in 0..<9 {
            guard let byte = bytes.popFirst() else { return nil }
            if position == 8 {
                raw |= UInt64(byte) << 56
                break
            }
            raw |= UInt64(byte & 0x7F) << UInt64(7 * position)
            if byte < 0x80 { break }
        }
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }
}

/// Big-endian integers, as HdrHistogram's headers have them.
enum BigEndian {
    static func append(_ value: some FixedWidthInteger, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes += $0 }
    }

    /// Reads integers off the front of a byte array.
    struct Reader {
        let bytes: [UInt8]
        var position = 0

        var remaining: Int { bytes.count - position }

        mutating func uint32() -> UInt32? { read(UInt32.self) }
        mutating func uint64() -> UInt64? { read(UInt64.self) }

        mutating func rest() -> [UInt8] {
            defer { position = bytes.count }
            return Array(bytes[position...])
        }

        private mutating func read<T: FixedWidthInteger>(_: T.Type) -> T? {
            let size = MemoryLayout<T>.size
            guard remaining >= size else { return nil }
            defer { position += size }
            return bytes[position..<position + size].reduce(T.zero) { $0 << 8 | T($1) }
        }
    }
}

/// A zlib stream (RFC 1950) of deflate's stored blocks (RFC 1951, BTYPE 00): valid for every
/// inflater, with no compression.
enum StoredZlib {
    static func wrap(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(start + 65_535, data.count)
            let length = UInt16(end - start)
            out.append(end == data.count ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += data[start..<end]
            start = end
        } while start < data.count
        BigEndian.append(adler32(data), to: &out)
        return out
    }

    /// The data of a stream ``wrap(_:)`` wrote, at most `limit` bytes of it.
    static func unwrap(_ stream: [UInt8], limit: Int) throws(HistogramCoding.DecodingError) -> [UInt8] {
        func failure(_ text: String) -> HistogramCoding.DecodingError { .init(description: "zlib stream: " + text) }
        guard stream.count >= 6, stream[0] & 0x0F == 8, (UInt16(stream[0]) << 8 | UInt16(stream[1])) % 31 == 0,
            stream[1] & 0x20 == 0
        else { throw failure("bad header") }
        var data: [UInt8] = []
        var position = 2
        var final = false
        while !final {
            guard position + 5 <= stream.count else { throw failure("truncated") }
            let flags = stream[position]
            guard flags & 0x06 == 0 else { throw failure("compressed blocks; only stored blocks are read") }
            final = flags & 1 == 1
            let length = Int(stream[position + 1]) | Int(stream[position + 2]) << 8
            let check = Int(stream[position + 3]) | Int(stream[position + 4]) << 8
            guard length ^ check == 0xFFFF else { throw failure("bad block length") }
            position += 5
            guard position + length <= stream.count, data.count + length <= limit else {
                throw failure("block too long")
            }
            data += stream[position..<position + length]
            position += length
        }
        var trailer = BigEndian.Reader(bytes: Array(stream[position...]))
        guard trailer.uint32() == adler32(data), trailer.remaining == 0 else { throw failure("bad checksum") }
        return data
    }

    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }
}
