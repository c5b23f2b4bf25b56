import NIOCore
import _MilterSystem

extension BlockingSocket {
    /// The most pieces a patched write gathers in one `sendmsg`: a queue ID in up to 31 places.
    static let maximumPatchedPieces = 63

    /// Writes `bytes` with `patch` in place of the bytes at the start of each of `ranges` (ascending,
    /// each patch inside `bytes`, none overlapping the next), as one `sendmsg` of the pieces between
    /// them: a recorded segment goes out with this transaction's queue ID without being copied
    /// first. `nil` when the pieces cannot be gathered so (too many, out of order); the caller
    /// then copies and patches. The socket taking only part of it (its buffer full) is rare: the
    /// rest then goes through ``write(_:timeout:)`` from a patched copy.
    func write(
        _ bytes: ByteBuffer, patching ranges: [Range<Int>], with patch: [UInt8], timeout: TimeAmount
    ) -> (failure: String?, waited: Bool)? {
        let pieceCount = 2 * ranges.count + 1
        guard pieceCount <= Self.maximumPatchedPieces else { return nil }
        let sent: Int? = bytes.withUnsafeReadableBytes { raw in
            patch.withUnsafeBytes { id in
                withUnsafeTemporaryAllocation(of: iovec.self, capacity: pieceCount) { pieces -> Int? in
                    var count = 0
                    var start = 0
                    for range in ranges {
                        let offset = range.lowerBound
                        guard offset >= start, offset + id.count <= raw.count else { return nil }
                        pieces[count] = iovec(
                            iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + start),
                            iov_len: offset - start)
                        pieces[count + 1] = iovec(
                            iov_base: UnsafeMutableRawPointer(mutating: id.baseAddress), iov_len: id.count)
                        count += 2
                        start = offset + id.count
                    }
                    pieces[count] = iovec(
                        iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + start),
                        iov_len: raw.count - start)
                    count += 1
                    var message = msghdr()
                    message.msg_iov = pieces.baseAddress
                    message.msg_iovlen = .init(count)
                    while true {
                        let written = sendmsg(descriptor, &message, Self.noSignal | Int32(MSG_DONTWAIT))
                        if written >= 0 { return written }
                        if errno == EINTR { continue }
                        // Refused at once (no room) or an error: the plain write below says which.
                        return 0
                    }
                }
            }
        }
        guard let sent else { return nil }
        if sent == bytes.readableBytes { return (nil, false) }
        // The rest, from a patched copy.
        var copy = ByteBuffer()
        copy.reserveCapacity(bytes.readableBytes)
        copy.writeImmutableBuffer(bytes)
        copy.withUnsafeMutableReadableBytes { raw in
            for range in ranges {
                let offset = range.lowerBound
                UnsafeMutableRawBufferPointer(rebasing: raw[offset..<offset + patch.count]).copyBytes(from: patch)
            }
        }
        copy.moveReaderIndex(forwardBy: sent)
        return write(copy, timeout: timeout)
    }
}
