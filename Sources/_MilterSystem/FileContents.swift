/// Whole-file reads with a size limit checked before buffering: a path, or an open descriptor (`-` is standard
/// input for the command lines).
package enum FileContents {
    /// Why a file could not be read, in words: `No such file or directory`, or the size over the limit.
    package struct ReadError: Error, CustomStringConvertible {
        package let description: String

        package init(description: String) { self.description = description }
    }

    /// The bytes of the file at `path`; a file over `limit` bytes is refused before it is read. With
    /// `regularOnly`, anything but a regular file is refused before a read could block on it
    /// (``openForReading(_:regularOnly:)``).
    package static func read(_ path: String, limit: Int, regularOnly: Bool = false) throws(ReadError) -> [UInt8] {
        let (descriptor, size) = try openForReading(path, regularOnly: regularOnly)
        defer { SystemCall.close(descriptor) }
        guard size <= limit else { throw ReadError(description: "\(size) bytes is over the limit of \(limit)") }
        return try read(descriptor: descriptor, limit: limit, sizeHint: size)
    }

    /// The file at `path` opened for reading, blocking, and its size; the caller closes the descriptor. A
    /// directory is refused; with `regularOnly`, anything but a regular file (a FIFO, a device, a socket) is refused
    /// too (`not a regular file`) before a read could block on it: it is opened without blocking, so a FIFO no one
    /// writes to does not block the open either.
    package static func openForReading(
        _ path: String, regularOnly: Bool
    ) throws(ReadError) -> (descriptor: Int32, size: Int) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | (regularOnly ? O_NONBLOCK : 0))
        guard descriptor >= 0 else { throw ReadError(description: SystemCall.errorText(errno)) }
        var status = stat()
        do throws(ReadError) {
            guard fstat(descriptor, &status) == 0 else { throw ReadError(description: SystemCall.errorText(errno)) }
            if status.st_mode & S_IFMT == S_IFDIR { throw ReadError(description: SystemCall.errorText(EISDIR)) }
            if regularOnly {
                guard status.st_mode & S_IFMT == S_IFREG else { throw ReadError(description: "not a regular file") }
                let flags = fcntl(descriptor, F_GETFL)
                guard flags >= 0, fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
                    throw ReadError(description: SystemCall.errorText(errno))
                }
            }
        } catch {
            SystemCall.close(descriptor)
            throw error
        }
        return (descriptor, Int(status.st_size))
    }

    /// The bytes up to the end of `descriptor` (a pipe, a terminal or a file), refused once over `limit`.
    package static func read(descriptor: Int32, limit: Int, sizeHint: Int = 0) throws(ReadError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(sizeHint, limit))
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { SystemCall.read(descriptor, into: $0) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(description: SystemCall.errorText(errno))
            }
            // A file that grew since it was measured is still held to the limit.
            guard bytes.count + count <= limit else { throw ReadError(description: "over the limit of \(limit) bytes") }
            bytes.append(contentsOf: chunk[..<count])
        }
    }
}
