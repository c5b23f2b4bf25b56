import Logging
import NIOConcurrencyHelpers
import Testing

@testable import ReferenceMilter

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Log lines for operators: escaped fields, journald-friendly text, JSON lines; sd_notify datagrams.
@Suite struct OperatorLoggingTests {
    /// The text line: time, level, label, message, then the fields sorted by key, each escaped.
    @Test func aTextLineHasItsPartsInOrder() {
        let handler = OperatorLogHandler(
            label: "ref\nmilter", level: .info, format: .text, clock: nil, output: { _ in })
        #expect(
            handler.render(
                level: .notice, message: "reloaded\n", fields: ["z": "1", "a": "x y", "m": "\u{1B}"],
                time: "2026-12-04T23:05:09.007Z")
                == #"2026-12-04T23:05:09.007Z notice ref\nmilter: reloaded\n a=x y m=\u{1B} z=1"# + "\n")
        #expect(
            handler.render(level: .info, message: "Q1: ACCEPT", fields: ["connection": "7"], time: nil)
                == "info ref\\nmilter: Q1: ACCEPT connection=7\n")
        #expect(
            handler.render(level: .warning, message: "", fields: [:], time: nil) == #"warning ref\nmilter: "# + "\n")
    }

    /// A line with one field or none is written into a string of its size: every piece lands whole, escaped,
    /// whatever its length and script, with or without a time.
    @Test(arguments: [nil, "2026-12-04T23:05:09.007Z"] as [String?])
    func aLineWithOneFieldIsWrittenWhole(time: String?) {
        let handler = OperatorLogHandler(label: "日本", level: .info, format: .text, clock: nil, output: { _ in })
        let long = String(repeating: "x", count: 300)
        let head = time.map { "\($0) " } ?? ""
        #expect(
            handler.render(level: .error, message: "é\t\(long)", fields: ["k\n": "日本 \u{85}"], time: time)
                == head + "error 日本: é\\t\(long) k\\n=日本 \\u{85}\n")
        #expect(handler.render(level: .debug, message: "", fields: ["a": ""], time: time) == head + "debug 日本:  a=\n")
    }

    @Test func controlCharactersAreEscaped() {
        #expect(LogLine.escaped("a\nb\r\t\u{1B}[31m\\") == "a\\nb\\r\\t\\u{1B}[31m\\\\")
        #expect(LogLine.jsonString("q\"\n\u{01}") == "\"q\\\"\\n\\u0001\"")
    }

    @Test func escapingLeavesPlainTextAloneAndKeepsTheRestAroundAnEscape() {
        #expect(LogLine.escaped("plain ASCII, ümlaut, 日本") == "plain ASCII, ümlaut, 日本")
        #expect(LogLine.escaped("") == "")
        #expect(LogLine.escaped("\n") == "\\n")
        #expect(LogLine.escaped("日\u{85}本\n") == "日\\u{85}本\\n")
        #expect(LogLine.jsonString("日本") == "\"日本\"")
    }

    /// Each escaped kind alone, so that the one pass over the bytes that lets plain fields through must send
    /// every one of them to the look by scalar: a C1 control (lead byte 0xC2), DEL, a backslash; U+00A0,
    /// which shares the C1 lead byte, and other non-ASCII text stay.
    @Test func everyEscapedScalarAloneIsEscaped() {
        #expect(LogLine.escaped("\u{85}") == "\\u{85}")
        #expect(LogLine.escaped("x\u{9F}") == "x\\u{9F}")
        #expect(LogLine.escaped("\u{7F}") == "\\u{7F}")
        #expect(LogLine.escaped("a\\b") == "a\\\\b")
        #expect(LogLine.escaped("\u{1F}") == "\\u{1F}")
        #expect(LogLine.escaped("\u{A0}é日") == "\u{A0}é日")
    }

    @Test func timestampsAreFixedWidthAndClampedOutOfRange() {
        var parts = tm()
        parts.tm_year = 126
        parts.tm_mon = 11
        parts.tm_mday = 4
        parts.tm_hour = 23
        parts.tm_min = 5
        parts.tm_sec = 9
        #expect(UTCTimestamp.text(parts, milliseconds: 7) == "2026-12-04T23:05:09.007Z")
        #expect(UTCTimestamp.text(parts, milliseconds: 999) == "2026-12-04T23:05:09.999Z")
        parts.tm_year = -2000
        parts.tm_mon = -1
        #expect(UTCTimestamp.text(parts, milliseconds: 1000) == "0000-00-04T23:05:09.999Z")
        parts.tm_year = 9000
        #expect(UTCTimestamp.text(parts, milliseconds: 0).hasPrefix("9999-00-04T"))
        #expect(UTCTimestamp.now().utf8.count == 24)
    }

    func line(_ format: OperatorLogHandler.Format, clock: (@Sendable () -> String)?) -> String {
        let lines = NIOLockedValueBox<[String]>([])
        let handler = OperatorLogHandler(
            label: "m", level: .info, format: format, clock: clock,
            output: { text in lines.withLockedValue { $0.append(text) } })
        let logger = Logger(label: "m", factory: { _ in handler })
        logger.info("forged\nline", metadata: ["from": "x\u{7}y"])
        return lines.withLockedValue { $0.joined() }
    }

    @Test func textHasNoTimestampWithoutAClockAndOneLinePerEvent() {
        #expect(line(.text, clock: nil) == "info m: forged\\nline from=x\\u{7}y\n")
        #expect(line(.text, clock: { "T" }) == "T info m: forged\\nline from=x\\u{7}y\n")
    }

    @Test func jsonIsOneObjectPerLine() {
        #expect(
            line(.json, clock: { "T" })
                == "{\"time\":\"T\",\"level\":\"info\",\"label\":\"m\",\"message\":\"forged\\nline\",\"from\":\"x\\u0007y\"}\n"
        )
    }

    @Test func notifierSendsADatagramToAnAbstractSocket() throws {
        let name = "@swift-milter-test-\(getpid())"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(name.utf8)
        path[0] = 0
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        try #require(bound == 0)
        #expect(SystemdNotifier(socketName: name).send("READY=1"))
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        #expect(count == 7 && String(decoding: buffer[0..<7], as: UTF8.self) == "READY=1")
    }

    @Test func aDescriptorThatIsNotAListeningSocketIsRefused() {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        defer { for fd in fds { close(fd) } }
        #expect(throws: ListeningSocketCheck.Problem.notASocket(fds[0])) { try ListeningSocketCheck.validate(fds[0]) }
        #expect(throws: ListeningSocketCheck.Problem.notOpen(9_999)) { try ListeningSocketCheck.validate(9_999) }
    }
}
