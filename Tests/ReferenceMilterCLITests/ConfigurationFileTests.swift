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
}
