import _MilterSystem

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks, before a run, that a report file can be written, so that a typo in a path fails at once rather than
/// after the whole run.
enum OutputPath {
    /// Why `path`, given to `option`, cannot be written; nil when it can (its directory exists and is writable,
    /// and it is not itself a directory).
    static func problem(writingFile path: String, option: String) -> String? {
        let manager = FileManager.default
        var isDirectory = false
        if path.isEmpty { return "\(option): the path is empty" }
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

    /// Writes `text` to `path`; returns why it could not, in words (`No space left on device`).
    static func write(_ text: String, to path: String, option: String) -> String? {
        let descriptor = SystemCall.createFile(path)
        guard descriptor >= 0 else {
            return "cannot write the report: \(option) \(path): \(SystemCall.errorText(errno))"
        }
        var writer = FileDescriptorWriter(descriptor: descriptor)
        writer.write(Array(text.utf8))
        SystemCall.close(descriptor)
        return writer.failure.map { "cannot write the report: \(option) \(path): \(SystemCall.errorText($0))" }
    }
}
