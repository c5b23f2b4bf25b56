import NIOCore

extension ByteBuffer {
    /// Reads a NUL-terminated string, or throws ``MilterProtocolError/Code/missingNUL``.
    @inlinable
    package mutating func readMilterString() throws(MilterProtocolError) -> MilterString {
        // Found and copied in one look at the buffer's storage: each is a dynamic exclusivity check
        // in NIO, and a message carries about 30 strings.
        let bytes = self.withUnsafeReadableBytes { raw -> [UInt8]? in
            guard let nul = raw.firstIndex(of: 0) else { return nil }
            return [UInt8](UnsafeRawBufferPointer(rebasing: raw[..<nul]))
        }
        guard let bytes else {
            throw MilterProtocolError(.missingNUL, excerpt: Redaction.excerpt(self.readableBytesView))
        }
        self.moveReaderIndex(forwardBy: bytes.count + 1)
        return MilterString(bytes: bytes)
    }

    /// Reads NUL-terminated strings until the buffer is empty (a `str[]`).
    @inlinable
    package mutating func readMilterStrings() throws(MilterProtocolError) -> [MilterString] {
        var strings: [MilterString] = []
        while self.readableBytes > 0 { strings.append(try self.readMilterString()) }
        return strings
    }

    /// Reads a big-endian 32-bit integer or throws ``MilterProtocolError/Code/malformedPayload``.
    @inlinable
    package mutating func readMilterUInt32(_ field: String) throws(MilterProtocolError) -> UInt32 {
        guard let value = self.readInteger(endianness: .big, as: UInt32.self) else {
            throw MilterProtocolError(.malformedPayload, detail: "\(field) needs 4 bytes")
        }
        return value
    }

    /// Throws ``MilterProtocolError/Code/unexpectedPayload`` unless the buffer is empty. `what` is
    /// only built on error: an interpolated name costs a heap allocation on every frame otherwise.
    @inlinable
    package func expectEmpty(_ what: @autoclosure () -> String) throws(MilterProtocolError) {
        guard self.readableBytes == 0 else {
            throw MilterProtocolError(
                .unexpectedPayload, excerpt: Redaction.excerpt(self.readableBytesView),
                detail: "\(what()) carries no data")
        }
    }

    /// Writes a string and its terminating NUL; refuses a string with a NUL inside. One copy
    /// into the buffer's spare room, string and NUL together: a MACRO packet is a dozen short
    /// strings, and a capacity check and a separate write of each NUL cost more than the bytes.
    @inlinable
    @discardableResult
    package mutating func writeMilterString(_ string: MilterString) throws(MilterProtocolError) -> Int {
        let count = string.bytes.count
        guard string.bytes.withUnsafeBufferPointer({ !$0.contains(0) }) else {
            throw MilterProtocolError(.embeddedNUL, detail: "a string field may not contain NUL")
        }
        return self.writeWithUnsafeMutableBytes(minimumWritableBytes: count + 1) { target in
            string.bytes.withUnsafeBytes { target.copyMemory(from: $0) }
            target[count] = 0
            return count + 1
        }
    }
}
