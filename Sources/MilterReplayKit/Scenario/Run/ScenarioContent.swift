import MailMessage
import MilterClient

/// The bytes behind a scenario's header and body sources, read when the step runs.
enum ScenarioContent {
    static func headerFields(_ source: HeaderSource) throws(CorpusError) -> [RawHeaderField] {
        switch source {
        case .inline(let fields): return fields
        case .eml(let path): return try Self.message(path).headerFields
        }
    }

    static func body(_ source: BodySource) throws(CorpusError) -> [UInt8] {
        switch source {
        case .inline(let bytes): return bytes
        case .file(let path): return try CorpusFiles.read(path)
        case .eml(let path): return Array(try Self.message(path).body)
        case .generated(let generated): return generated.bytes
        }
    }

    /// The message in the file at `path`, every header field kept (the file's size is bounded); one whose first
    /// line starts with white space has no header fields and is all body, as an MTA reads it (`LeadingWhiteSpace`).
    private static func message(_ path: String) throws(CorpusError) -> RawMessage {
        LeadingWhiteSpace.split(try CorpusFiles.read(path)).message
    }
}

extension GeneratedBody {
    /// Exactly ``size`` bytes: lines of ``lineLength`` bytes, each ended by CRLF (the last one too, so the
    /// MTA adds nothing), the same every time.
    package var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(size)
        let content = max(0, size - 2)
        var column = 0
        var counter = 0
        while out.count < content {
            if column == lineLength, out.count + 2 <= content {
                out += [0x0D, 0x0A]
                column = 0
                continue
            }
            out.append(byte(counter))
            counter += 1
            column += 1
        }
        out += [0x0D, 0x0A].prefix(size - out.count)
        return out
    }

    /// The `index`th filler byte: printable ASCII, or for 8bit every third byte in 0x80...0xFF.
    private func byte(_ index: Int) -> UInt8 {
        switch content {
        case .text: return UInt8(0x21 + index % 94)
        case .eightBit: return index % 3 == 2 ? UInt8(0x80 + index % 128) : UInt8(0x41 + index % 26)
        }
    }
}
