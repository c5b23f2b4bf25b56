import NIOCore

/// The RFC 1071 one's-complement sum used by IPv4, TCP and UDP.
struct InternetChecksum {
    private var sum: UInt64 = 0
    private var pendingOddByte: UInt8?

    mutating func add(_ value: UInt16) {
        sum &+= UInt64(value)
    }

    mutating func add(_ value: UInt32) {
        sum &+= UInt64(value >> 16) &+ UInt64(value & 0xFFFF)
    }

    mutating func add(_ bytes: ByteBuffer) {
        bytes.withUnsafeReadableBytes { raw in
            var index = 0
            if let odd = pendingOddByte, !raw.isEmpty {
                sum &+= UInt64(odd) << 8 | UInt64(raw[0])
                pendingOddByte = nil
                index = 1
            }
            while index + 1 < raw.count {
                sum &+= UInt64(raw[index]) << 8 | UInt64(raw[index + 1])
                index += 2
            }
            if index < raw.count { pendingOddByte = raw[index] }
        }
    }

    /// The checksum to store in a header: the complement of the folded sum.
    var value: UInt16 {
        var total = sum
        if let odd = pendingOddByte { total &+= UInt64(odd) << 8 }
        while total > 0xFFFF { total = (total & 0xFFFF) + (total >> 16) }
        return ~UInt16(total)
    }
}
