import MilterCapture
import MilterProtocol
import NIOCore
import Testing

/// The dump renders common frames straight from their bytes; it must print what the codec's decoding prints, and
/// leave every payload the codec refuses to the general way.
@Suite struct FastDescriptionTests {
    struct Case: Sendable, CustomStringConvertible {
        let direction: FrameDirection
        let command: Character
        let payload: [UInt8]
        let handled: Bool
        var description: String { "\(direction) \(command) \(payload.count) bytes" }

        init(_ direction: FrameDirection, _ command: Character, _ payload: String, handled: Bool) {
            self.direction = direction
            self.command = command
            self.payload = Array(payload.utf8)
            self.handled = handled
        }
    }

    static let cases: [Case] = [
        Case(.fromMTA, "L", "Subject\0hello\0", handled: true),
        Case(.fromMTA, "L", "X-Empty\0\0", handled: true),
        Case(.fromMTA, "L", "X\0caf\u{e9} \"tab\"\t\\\0", handled: true),
        Case(.fromMTA, "L", "X\0no terminator", handled: false),
        Case(.fromMTA, "L", "X\0a\0b\0", handled: false),
        Case(.fromMTA, "L", "\0", handled: false),
        Case(.fromMTA, "B", "", handled: true),
        Case(.fromMTA, "B", String(repeating: "line\r\n", count: 20), handled: true),
        Case(.fromMTA, "E", "", handled: true),
        Case(.fromMTA, "E", "tail\0", handled: true),
        Case(.fromMTA, "M", "<a@example.net>\0", handled: true),
        Case(.fromMTA, "M", "<a@example.net>\0SIZE=10\0BODY=8BITMIME\0", handled: true),
        Case(.fromMTA, "M", "<a@example.net>", handled: false),
        Case(.fromMTA, "M", "", handled: false),
        Case(.fromMTA, "R", "<b@example.org>\0X\0Y", handled: false),
        Case(.fromMTA, "R", "\0\0", handled: true),
        Case(.fromMTA, "H", "mx.example.net\0", handled: true),
        Case(.fromMTA, "H", "mx\0more\0", handled: false),
        Case(.fromMTA, "H", "", handled: false),
        Case(.fromMTA, "T", "", handled: true),
        Case(.fromMTA, "T", "x", handled: false),
        Case(.fromMTA, "N", "", handled: true),
        Case(.fromMTA, "A", "", handled: true),
        Case(.fromMTA, "Q", "", handled: true),
        Case(.fromMTA, "K", "", handled: true),
        Case(.fromMTA, "O", "\0\0\0\u{6}\0\0\u{1}\u{ff}\0\0\0\0", handled: false),
        Case(.fromMTA, "z", "", handled: false),
        Case(.fromMilter, "c", "", handled: true),
        Case(.fromMilter, "c", "x", handled: false),
        Case(.fromMilter, "a", "", handled: true),
        Case(.fromMilter, "r", "", handled: true),
        Case(.fromMilter, "t", "", handled: true),
        Case(.fromMilter, "y", "550 5.7.1 no\0", handled: false),
        Case(.fromMilter, "L", "Subject\0hello\0", handled: false),
    ]

    @Test(arguments: cases)
    func printsWhatTheCodecDecodes(_ test: Case) {
        let renderer = TranscriptRenderer()
        let frame = MilterFrame(command: test.command.asciiValue!, payload: ByteBuffer(bytes: test.payload))
        var fast: [UInt8] = []
        let handled = renderer.appendFastDescription(
            command: frame.command, direction: test.direction, payload: frame.payload, to: &fast)
        #expect(handled == test.handled)
        guard handled else { return #expect(fast.isEmpty) }
        let general =
            test.direction == .fromMTA
            ? (try? MilterCommand(frame: frame)).map(renderer.text(of:))
            : (try? MilterReply(frame: frame)).map(renderer.text(of:))
        #expect(String(decoding: fast, as: UTF8.self) == general)
    }
}
