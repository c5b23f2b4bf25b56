import _MilterSystem

/// Reads a milter's configuration file, for ``MilterConfiguration/loadClassifier``.
public enum ConfigurationFile {
    /// The largest file read, checked before reading: 1 MiB.
    public static let maximumSize = 1 << 20

    /// Why a file could not be read: `cannot read: No such file or directory`.
    public struct ReadError: Error, CustomStringConvertible {
        /// The reason, in words.
        public let description: String
    }

    /// The file's text, as UTF-8; throws ``ReadError`` when the file is missing, unreadable, not a regular file
    /// or over ``maximumSize``. A FIFO or a device is refused before it is opened for reading: a FIFO no one writes
    /// to blocked `daemon` at start, or its SIGHUP reload, and with it the shutdown, for ever.
    public static func text(atPath path: String) throws(ReadError) -> String {
        do {
            return String(
                decoding: try FileContents.read(path, limit: maximumSize, regularOnly: true), as: UTF8.self)
        } catch {
            throw ReadError(description: "cannot read: \(error)")
        }
    }
}
