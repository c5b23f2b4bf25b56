import NIOCore
import _MilterSystem

extension BlockingSocket {
    /// The most queue IDs a recorded segment may carry to be written in pieces; one with more is
    /// patched in a copy (``write(_:patching:with:timeout:)``). A message carries a dozen.
    static let mostPatchedRanges = 64

    /// Writes `frames` with `queueID` over the bytes at the start of each of `ranges`: the bytes
    /// ``ExchangeSegment/patch(_:at:queueID:)`` makes of them, written as ``write(_:timeout:)``
    /// writes (the same timeout, errors and `waited`), but in pieces: one `sendmsg` of the
    /// recording's bytes between the queue IDs and the queue ID itself, nothing copied. Ranges out
    /// of order, overlapping, or more than ``mostPatchedRanges`` are patched in a copy instead.
    func write(
        _ frames: ByteBuffer, patching ranges: [Range<Int>], with queueID: [UInt8], timeout: TimeAmount
    ) -> (failure: String?, waited: Bool) {
        guard ranges.count <= Self.mostPatchedRanges, Self.inOrder(ranges, length: queueID.count) else {
            var copy = frames
            ExchangeSegment.patch(&copy, at: ranges, queueID: queueID)
            return write(copy, timeout: timeout)
        }
        return frames.withUnsafeReadableBytes { raw in
            queueID.withUnsafeBytes { id in
                withUnsafeTemporaryAllocation(of: iovec.self, capacity: 2 * ranges.count + 1) { pieces in
                    var count = 0
                    var position = 0
                    func add(_ start: UnsafeRawPointer?, _ length: Int) {
                        guard length > 0 else { return }
                        pieces[count] = iovec(iov_base: UnsafeMutableRawPointer(mutating: start), iov_len: length)
                        count += 1
                    }
                    for range in ranges {
                        // As ExchangeSegment.patch requires.
                        precondition(range.lowerBound + id.count <= raw.count)
                        add(raw.baseAddress.map { $0 + position }, range.lowerBound - position)
                        add(id.baseAddress, id.count)
                        position = range.lowerBound + id.count
                    }
                    add(raw.baseAddress.map { $0 + position }, raw.count - position)
                    return write(
                        UnsafeMutableBufferPointer(rebasing: pieces[..<count]), total: raw.count, timeout: timeout)
                }
            }
        }
    }

    /// Whether each range starts at or after the end of the ID written at the one before, the first at 0 or after.
    private static func inOrder(_ ranges: [Range<Int>], length: Int) -> Bool {
        var end = 0
        for range in ranges {
            guard range.lowerBound >= end else { return false }
            end = range.lowerBound + length
        }
        return true
    }

    /// Sends `pieces`, `total` bytes in all, in `sendmsg` calls (one unless the socket takes part
    /// of them), dropping what each call sent from the pieces before the next.
    private func write(
        _ pieces: UnsafeMutableBufferPointer<iovec>, total: Int, timeout: TimeAmount
    ) -> (failure: String?, waited: Bool) {
        var first = 0
        var dropped = 0
        return sendAll(total, timeout: timeout) { offset in
            var sent = offset - dropped
            dropped = offset
            while sent > 0 {
                let length = pieces[first].iov_len
                if sent >= length {
                    sent -= length
                    first += 1
                } else {
                    pieces[first].iov_base = pieces[first].iov_base! + sent
                    pieces[first].iov_len = length - sent
                    sent = 0
                }
            }
            var message = msghdr()
            message.msg_iov = pieces.baseAddress! + first
            message.msg_iovlen = .init(pieces.count - first)
            return sendmsg(descriptor, &message, Self.noSignal | Int32(MSG_DONTWAIT))
        }
    }
}
