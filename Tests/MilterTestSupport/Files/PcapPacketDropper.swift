import Foundation

/// Copies a classic pcap file without some of its packets, as a capture that missed them (a kernel drop).
package enum PcapPacketDropper {
    /// Writes `source` without the packets numbered `dropped` (from 1, as Wireshark counts) to a new temporary
    /// file and returns its path. Throws when `source` is not a whole classic pcap file.
    package static func copy(_ source: String, dropping dropped: Set<Int>) throws -> String {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
        guard bytes.count >= 24 else { throw CocoaError(.fileReadCorruptFile) }
        // The magic number's first byte tells the byte order of the record lengths.
        let littleEndian = bytes[0] == 0xD4 || bytes[0] == 0x4D
        func length(at offset: Int) -> Int {
            let field = bytes[offset..<offset + 4].map(Int.init)
            let ordered = littleEndian ? field.reversed() : field
            return ordered.reduce(0) { $0 << 8 | $1 }
        }
        var output = Array(bytes[0..<24])
        var offset = 24
        var number = 0
        while offset < bytes.count {
            guard offset + 16 <= bytes.count else { throw CocoaError(.fileReadCorruptFile) }
            let end = offset + 16 + length(at: offset + 8)
            guard end <= bytes.count else { throw CocoaError(.fileReadCorruptFile) }
            number += 1
            if !dropped.contains(number) { output += bytes[offset..<end] }
            offset = end
        }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("dropped-\(UUID().uuidString).pcap").path
        try Data(output).write(to: URL(fileURLWithPath: path))
        return path
    }
}
