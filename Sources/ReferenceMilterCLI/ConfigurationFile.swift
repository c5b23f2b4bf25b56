import _MilterSystem

/// Reads a milter's configuration file, for ``MilterConfiguration/loadClassifier``.
public enum ConfigurationFile {
    /// The largest file read, checked before reading: 1 MiB.
    public static let maximumSize = 1 << 20

    /// Why a file could not be read: `cannot read: No such file or directory`, or
    /// `line 2, column 4: not valid UTF-8 (byte 0xE9)`.
    public struct ReadError: Error, CustomStringConvertible {
        /// The reason, in words.
        public let description: String
    }

    /// The file's text, as UTF-8; throws ``ReadError`` when the file is missing, unreadable, not a regular file,
    /// over ``maximumSize`` or not valid UTF-8. A FIFO or a device is refused before it is opened for reading: a
    /// FIFO no one writes to blocked `daemon` at start, or its SIGHUP reload, and with it the shutdown, for ever.
    /// Text that is not UTF-8 is refused, naming the line and column of the first bad byte: decoded with
    /// replacement characters, a Latin-1 `caf\xE9` in a rule silently became `caf\u{FFFD}`.
    public static func text(atPath path: String) throws(ReadError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try FileContents.read(path, limit: maximumSize, regularOnly: true)
        } catch {
            throw ReadError(description: "cannot read: \(error)")
        }
        if let offset = firstInvalidUTF8(bytes) { throw ReadError(description: invalidUTF8(bytes, at: offset)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Where the first byte that does not begin a valid UTF-8 sequence is; `nil` when the text is valid.
    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// `line N, column C: not valid UTF-8 (byte 0xHH)`, the column in characters from 1, as the rules' errors count.
    private static func invalidUTF8(_ bytes: [UInt8], at offset: Int) -> String {
        var lineStart = bytes[..<offset].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        // Line 1 counts from after a byte order mark, as the rules parser counts it.
        if lineStart == 0, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { lineStart = 3 }
        let line = bytes[..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).count + 1
        let hex = String(bytes[offset], radix: 16, uppercase: true)
        return "line \(line), column \(column): not valid UTF-8 (byte 0x\(hex.count == 1 ? "0" : "")\(hex))"
    }
}
