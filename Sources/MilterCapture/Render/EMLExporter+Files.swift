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

    /// Renames the files ``write(_:to:)`` wrote in `directory` for `streams` (each stream's number and its count
    /// of messages), written with unpadded stream numbers, to names whose stream numbers are padded to the digit
    /// count of the largest (``ExportedMessage/streamWidth``), once the export knows it. Distinct numbers padded
    /// to one width stay distinct, so the names stay unique.
    public static func padStreamNumbers(
        in directory: String, streams: [(stream: Int, messages: Int)]
    ) throws(EMLExportError) {
        guard let largest = streams.map(\.stream).max() else { return }
        let width = String(largest).count
        guard width > 1 else { return }
        for (stream, messages) in streams where String(stream).count < width {
            for index in 1...max(1, messages) {
                let written = ExportedMessage.fileName(
                    stream: stream, index: index, sessionMessageCount: messages, streamWidth: 1)
                let padded = ExportedMessage.fileName(
                    stream: stream, index: index, sessionMessageCount: messages, streamWidth: width)
                guard rename(directory + "/" + written, directory + "/" + padded) == 0 else {
                    throw EMLExportError(path: directory + "/" + written, errorNumber: errno)
                }
            }
        }
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
