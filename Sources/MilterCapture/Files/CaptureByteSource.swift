import _MilterSystem

/// A sequential source of capture file bytes.
///
/// ``CaptureReader`` pulls bytes from a source in small chunks, so a source never needs to hold a whole file.
public protocol CaptureByteSource {
    /// Reads at most `buffer.count` bytes into `buffer` and returns how many were read; 0 means end of input.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureError) -> Int
}

/// Bytes already in memory: used by tests, the fuzzer and callers that own the bytes.
public struct InMemoryByteSource: CaptureByteSource {
    private let bytes: [UInt8]
    private var position = 0

    /// Creates a source that yields `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Copies the next bytes into `buffer`.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureError) -> Int {
        let count = min(buffer.count, bytes.count - position)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { all in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[position..<position + count]))
        }
        position += count
        return count
    }
}

/// A file read with POSIX `read(2)`; the descriptor is closed when the last copy goes away.
public final class FileByteSource: CaptureByteSource {
    private let descriptor: Int32
    private var position: UInt64 = 0

    /// Opens `path` for reading.
    public init(path: String) throws(CaptureError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CaptureError(.io, at: 0, "cannot open \(path): \(SystemCall.errorText(errno))")
        }
        var status = stat()
        if fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            close(fd)
            throw CaptureError(.notRegularFile, at: 0, "a directory")
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Reads the next bytes, retrying on `EINTR`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureError) -> Int {
        while true {
            let count = SystemCall.read(descriptor, into: buffer)
            if count >= 0 {
                position += UInt64(count)
                return count
            }
            if errno != EINTR {
                throw CaptureError(.io, at: position, "read failed: \(SystemCall.errorText(errno))")
            }
        }
    }
}
