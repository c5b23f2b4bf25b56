/// A reader of one capture file format, yielding packets in file order.
package protocol PacketRecordReader {
    /// The next packet, or nil at the end of the file.
    mutating func next() throws(CaptureError) -> CapturePacket?
}

extension BufferedByteReader {
    /// Buffers `count` bytes, throwing a truncation error at `start` when the file ends first.
    mutating func require(_ count: Int, at start: UInt64, _ what: String) throws(CaptureError) {
        guard try fill(count) else {
            throw CaptureError(.truncatedFile, at: start, "\(what) needs \(count) bytes, \(bufferedCount) remain")
        }
    }
}
