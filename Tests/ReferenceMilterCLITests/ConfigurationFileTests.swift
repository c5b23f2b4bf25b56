import Foundation
import MilterTestSupport
import ReferenceMilterCLI
import Testing

/// A milter's configuration file must be a regular file: a FIFO no one writes to blocked `daemon --config` at
/// start, and a SIGHUP reload with the daemon's shutdown after it, for ever; a device was read as a file.
@Suite struct ConfigurationFileTests {
    @Test func aFIFOOrADeviceIsRefusedBeforeItIsRead() throws {
        let directory = try Scratch.makeDirectory("config-fifo")
        defer { Scratch.remove(directory) }
        let fifo = directory.appendingPathComponent("rules").path
        try #require(mkfifo(fifo, 0o600) == 0)
        for path in [fifo, "/dev/null"] {
            let error = #expect(throws: ConfigurationFile.ReadError.self) {
                try ConfigurationFile.text(atPath: path)
            }
            #expect(error?.description == "cannot read: not a regular file", "\(path)")
        }
        let rules = directory.appendingPathComponent("rules.txt").path
        try TemporaryFile.write(Array("always => accept\n".utf8), to: rules)
        #expect(try ConfigurationFile.text(atPath: rules) == "always => accept\n")
    }

    /// Files not UTF-8 and the error each gives: the first bad byte, a truncated sequence at the end, an overlong one.
    static let notUTF8: [([UInt8], String)] = [
        (Array("ok\ncaf".utf8) + [0xE9] + Array("\n".utf8), "line 2, column 4: not valid UTF-8 (byte 0xE9)"),
        (Array("é".utf8) + [0xFF], "line 1, column 2: not valid UTF-8 (byte 0xFF)"),
        (Array("a\n\nb".utf8) + [0xE2, 0x82], "line 3, column 2: not valid UTF-8 (byte 0xE2)"),
        ([0xC0, 0x80], "line 1, column 1: not valid UTF-8 (byte 0xC0)"),
        // Line 1 counts from after a byte order mark, as the rules' errors do (it said column 3).
        ([0xEF, 0xBB, 0xBF] + Array("a".utf8) + [0xFF], "line 1, column 2: not valid UTF-8 (byte 0xFF)"),
    ]

    /// Text that is not UTF-8 is refused, naming the line and the column (in characters) of the first bad
    /// byte, never decoded with replacement characters.
    @Test(arguments: notUTF8)
    func textNotValidUTF8IsRefused(bytes: [UInt8], message: String) throws {
        let directory = try Scratch.makeDirectory("config-utf8")
        defer { Scratch.remove(directory) }
        let path = directory.appendingPathComponent("rules").path
        try TemporaryFile.write(bytes, to: path)
        let error = #expect(throws: ConfigurationFile.ReadError.self) { try ConfigurationFile.text(atPath: path) }
        #expect(error?.description == message)
    }
}
