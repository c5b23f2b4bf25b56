import _MilterSystem

/// Why writing exported messages failed.
public struct EMLExportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file or directory concerned.
    public var path: String
    /// The `errno` value.
    public var errorNumber: Int32

    /// `cannot write PATH: REASON` (`cannot write out: Permission denied`); an empty path is named as such.
    public var description: String {
        "cannot write \(path.isEmpty ? "an empty path" : path): \(SystemCall.errorText(errorNumber))"
    }
}

extension EMLExporter {
    /// Writes each message to `directory/fileName` (mode 0600), creating the directory if needed; returns the paths
    /// written. A symbolic link at one of those paths is an error (`Too many levels of symbolic links`), its target
    /// untouched.
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
        // Recorded mail, readable by its owner only as `record`'s capture is; the names are predictable, so a symbolic
        // link planted under one in a shared directory is refused, not followed.
        let descriptor = SystemCall.createPrivateFile(path)
        guard descriptor >= 0 else { throw EMLExportError(path: path, errorNumber: errno) }
        defer { SystemCall.close(descriptor) }
        var writer = FileDescriptorWriter(descriptor: descriptor)
        writer.write(bytes)
        if let failure = writer.failure { throw EMLExportError(path: path, errorNumber: failure) }
    }
}
