#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why writing exported messages failed.
public struct EMLExportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file or directory concerned.
    public var path: String
    /// The `errno` value.
    public var errorNumber: Int32

    /// `cannot write PATH: errno N`.
    public var description: String { "cannot write \(path): errno \(errorNumber)" }
}

extension EMLExporter {
    /// Writes each message to `directory/fileName`, creating the directory if needed; returns the paths written.
    @discardableResult
    public static func write(_ messages: [ExportedMessage], to directory: String) throws(EMLExportError) -> [String] {
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw EMLExportError(path: directory, errorNumber: errno)
        }
        var paths: [String] = []
        for message in messages {
            let path = directory + "/" + message.fileName
            try writeFile(message.bytes, to: path)
            paths.append(path)
        }
        return paths
    }

    private static func writeFile(_ bytes: [UInt8], to path: String) throws(EMLExportError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw EMLExportError(path: path, errorNumber: errno) }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { raw in
                #if canImport(Darwin)
                Darwin.write(descriptor, raw.baseAddress! + written, raw.count - written)
                #elseif canImport(Musl)
                Musl.write(descriptor, raw.baseAddress! + written, raw.count - written)
                #else
                Glibc.write(descriptor, raw.baseAddress! + written, raw.count - written)
                #endif
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw EMLExportError(path: path, errorNumber: errno) }
            written += count
        }
    }
}
