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
        Case(.fromMTA, "C", "client.example.net\u{0}4\u{1F}\u{90}192.0.2.7\0", handled: true),
        Case(.fromMTA, "C", "[10.0.0.1]\u{0}6\0\u{19}IPv6:2001:db8::1\0", handled: true),
        Case(.fromMTA, "C", "localhost\0L\0\0/run/sock\0", handled: true),
        Case(.fromMTA, "C", "unknown\0U", handled: true),
        Case(.fromMTA, "C", "unknown\0Ux", handled: false),
        Case(.fromMTA, "C", "host\0X\0\u{19}addr\0", handled: false),
        Case(.fromMTA, "C", "host\u{0}4\0", handled: false),
        Case(.fromMTA, "C", "host\u{0}4\0\u{19}addr", handled: false),
        Case(.fromMTA, "C", "host\u{0}4\0\u{19}addr\0more", handled: false),
        Case(.fromMTA, "C", "host\u{0}4\0\u{19}a\0b\0", handled: false),
        Case(.fromMTA, "C", "host", handled: false),
        Case(.fromMTA, "C", "host\0", handled: false),
        Case(.fromMTA, "D", "Cj\0mx.example.net\0{daemon_name}\0smtpd \"x\"\0", handled: true),
        Case(.fromMTA, "D", "C", handled: true),
        Case(.fromMTA, "D", "M\0\0", handled: true),
        Case(.fromMTA, "D", "", handled: false),
        Case(.fromMTA, "D", "Cj\0", handled: false),
        Case(.fromMTA, "D", "Cj\0value", handled: false),
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
