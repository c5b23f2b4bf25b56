#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and writes by path, for tests that hand a file to the code under test.
package enum TemporaryFile {
    /// The file could not be written completely.
    package struct WriteError: Error {}

    /// Writes `bytes` to `path`, replacing the file.
    package static func write(_ bytes: [UInt8], to path: String) throws {
        guard let file = fopen(path, "wb") else { throw WriteError() }
        defer { fclose(file) }
        guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw WriteError() }
    }

    /// The file's bytes, or nil if it cannot be opened.
    package static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// Removes the file, if there is one.
    package static func remove(_ path: String) {
        unlink(path)
    }
}
