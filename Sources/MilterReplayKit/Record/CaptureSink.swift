import _MilterSystem

/// Where a recording's bytes go: the capture file's descriptor; tests put a slower one in its place.
struct CaptureSink: Sendable {
    /// Writes all of `bytes` to `descriptor`; returns the `errno` of a failed write, nil when all were written.
    var write: @Sendable (_ descriptor: Int32, _ bytes: [UInt8]) -> Int32?

    /// `write(2)` to the descriptor, retrying short writes and `EINTR`.
    static let descriptor = CaptureSink { descriptor, bytes in
        var writer = FileDescriptorWriter(descriptor: descriptor)
        writer.write(bytes)
        return writer.failure
    }
}
