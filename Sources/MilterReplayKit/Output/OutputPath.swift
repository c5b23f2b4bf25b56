import _MilterSystem

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks, before a run, that a report file can be written, so that a typo in a path fails at once rather than
/// after the whole run; writes it after the run, never through a symbolic link.
package enum OutputPath {
    /// Why `path`, given to `option`, cannot be written; nil when it can (its directory exists and is writable,
    /// and it is neither a directory, a symbolic link, nor anything else that is not a regular file: a FIFO there
    /// would block the write at the end of the run).
    static func problem(writingFile path: String, option: String) -> String? {
        let manager = FileManager.default
        var isDirectory = false
        if path.isEmpty { return "\(option): the path is empty" }
        if SystemCall.isSymbolicLink(path) { return symbolicLink(path, option: option) }
        if SystemCall.isSpecialFile(path) { return notRegular(path, option: option) }
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory { return "\(option) \(path): is a directory, not a file" }
            return manager.isWritableFile(atPath: path) ? nil : "\(option) \(path): the file is not writable"
        }
        let parent = path.deletingLastPathComponent.isEmpty ? "." : path.deletingLastPathComponent
        guard manager.fileExists(atPath: parent, isDirectory: &isDirectory) else {
            return "\(option) \(path): the directory \(parent) does not exist"
        }
        guard isDirectory else { return "\(option) \(path): \(parent) is not a directory" }
        return manager.isWritableFile(atPath: parent)
            ? nil : "\(option) \(path): the directory \(parent) is not writable"
    }

    /// Why the directory `path`, given to `option`, can neither be used nor made (its parent missing); nil when
    /// it can.
    static func problem(directory path: String, option: String) -> String? {
        let manager = FileManager.default
        var isDirectory = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            if !isDirectory { return "\(option) \(path): is not a directory" }
            return manager.isWritableFile(atPath: path) ? nil : "\(option) \(path): the directory is not writable"
        }
        let parent = path.deletingLastPathComponent.isEmpty ? "." : path.deletingLastPathComponent
        guard manager.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory else {
            return "\(option) \(path): the directory \(parent) does not exist"
        }
        return manager.isWritableFile(atPath: parent)
            ? nil : "\(option) \(path): the directory \(parent) is not writable"
    }

    /// Writes `text` to `path`, created or emptied, mode 0644 (a report is meant to be published), or, with
    /// `ownerOnly` (a report that shows personal data unredacted, `--show-values`), 0600, set again on a file that
    /// existed. A symbolic link at `path` is refused, its target untouched, and so is anything but a regular file (a
    /// FIFO is opened without blocking, then refused). Returns why it could not write, in words
    /// (`No space left on device`).
    package static func write(_ text: String, to path: String, option: String, ownerOnly: Bool = false) -> String? {
        let descriptor = ownerOnly ? SystemCall.createPrivateFile(path) : SystemCall.createFile(path)
        guard descriptor >= 0 else {
            let failure = errno
            if SystemCall.isSymbolicLink(path) {
                return "cannot write the report: \(symbolicLink(path, option: option))"
            }
            if SystemCall.isSpecialFile(path) { return "cannot write the report: \(notRegular(path, option: option))" }
            return "cannot write the report: \(option) \(path): \(SystemCall.errorText(failure))"
        }
        guard SystemCall.isRegularFile(descriptor) else {
            SystemCall.close(descriptor)
            return "cannot write the report: \(notRegular(path, option: option))"
        }
        var writer = FileDescriptorWriter(descriptor: descriptor)
        writer.write(Array(text.utf8))
        SystemCall.close(descriptor)
        return writer.failure.map { "cannot write the report: \(option) \(path): \(SystemCall.errorText($0))" }
    }

    /// A report path that is a symbolic link: it is not followed, since a link planted under the report's name
    /// would have its target overwritten.
    private static func symbolicLink(_ path: String, option: String) -> String {
        "\(option) \(path): is a symbolic link; a report is not written through one (give the file's own path)"
    }

    /// A report path where something other than a regular file is (a FIFO, a socket, a device).
    private static func notRegular(_ path: String, option: String) -> String {
        "\(option) \(path): is not a regular file; a report is written to a file"
    }
}
