/// Writes bytes to a file descriptor with `write(2)`, whole chunks at a time: large dumps go out in a few big
/// system calls. After a failed write (a closed pipe, a full disk) further bytes are dropped and ``failure`` holds the error.
package struct FileDescriptorWriter {
    /// The descriptor written to.
    package let descriptor: Int32
    /// The `errno` of the first failed write, if any.
    package private(set) var failure: Int32?

    /// Creates a writer for `descriptor` (standard output by default).
    package init(descriptor: Int32 = 1) { self.descriptor = descriptor }

    /// Writes all of `bytes`, retrying short writes and `EINTR`.
    package mutating func write(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = SystemCall.write(descriptor, UnsafeRawBufferPointer(rebasing: raw[offset...]))
                if count > 0 {
                    offset += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    failure = count < 0 ? errno : EIO
                    return
                }
            }
        }
    }

    /// Writes `text` to standard output through ``StandardOutput``, which keeps the first failure for the command
    /// to say at its end.
    package static func standardOutput(_ text: String) {
        StandardOutput.write(Array(text.utf8))
    }

    /// Writes `text` to standard error; a failure is dropped.
    package static func standardError(_ text: String) {
        var writer = FileDescriptorWriter(descriptor: 2)
        writer.write(Array(text.utf8))
    }
}
