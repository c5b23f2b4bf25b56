import Logging
import _MilterSystem

/// A log handler for operators: one line per event on standard error, as text or JSON, with
/// control characters in every field escaped. Under systemd (`JOURNAL_STREAM` set) text lines
/// carry no timestamp of their own, since journald adds one.
public struct OperatorLogHandler: LogHandler {
    /// How lines look.
    public enum Format: String, Sendable, CaseIterable {
        /// `[TIME ]LEVEL label: message key=value ...`
        case text
        /// One JSON object per line: `time` (unless journald), `level`, `label`, `message`, metadata.
        case json
    }

    /// The level below which events are dropped.
    public var logLevel: Logger.Level
    /// Metadata added to every event.
    public var metadata: Logger.Metadata = [:]
    /// The metadata provider, if any.
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    /// `LEVEL label: ` for each level, as the text format starts a line after the time: the label escaped
    /// and the pieces joined once, not on every line.
    private let textPrefixes: [String]
    private let format: Format
    private let clock: (@Sendable () -> String)?
    private let output: @Sendable (String) -> Void

    /// A handler writing finished lines (newline included) to `output`; `clock` gives the
    /// timestamp text, or is `nil` for none.
    public init(
        label: String, level: Logger.Level, format: Format, clock: (@Sendable () -> String)?,
        output: @escaping @Sendable (String) -> Void
    ) {
        self.label = label
        let escapedLabel = LogLine.escaped(label)
        self.textPrefixes = Self.levels.map { "\($0.rawValue) \(escapedLabel): " }
        self.logLevel = level
        self.format = format
        self.clock = clock
        self.output = output
    }

    /// The handler for a process's standard error: timestamps unless `JOURNAL_STREAM` is set.
    public static func standardError(label: String, level: Logger.Level, format: Format) -> OperatorLogHandler {
        let clock: (@Sendable () -> String)? = getenv("JOURNAL_STREAM") == nil ? UTCTimestamp.now : nil
        let output: @Sendable (String) -> Void = { FileDescriptorWriter.standardError($0) }
        return OperatorLogHandler(label: label, level: level, format: format, clock: clock, output: output)
    }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line.
    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { $1 } }
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let time = clock?()
        output(render(level: event.level, message: event.message.description, fields: fields, time: time))
    }

    /// The line, its newline included.
    func render(level: Logger.Level, message: String, fields: Logger.Metadata, time: String?) -> String {
        switch format {
        case .text where fields.count < 2:
            // A line with one field or none (the connection's, on every decision line) is written into a string of
            // its size, piece by piece: appended, each of its nine pieces cost about 340 instructions.
            let field = fields.first.map {
                (key: LogLine.escaped($0.key), value: LogLine.escaped($0.value.description))
            }
            return Self.textLine(
                time: time, prefix: textPrefixes[Self.position(of: level)], message: LogLine.escaped(message),
                field: field)
        case .text:
            // Appended to one string with room for a usual line and its newline: a line per message is logged,
            // and pieces interpolated and joined cost an allocation each.
            var line = ""
            line.reserveCapacity(64 + message.utf8.count + 32 * fields.count)
            if let time {
                line += time
                line += " "
            }
            line += textPrefixes[Self.position(of: level)]
            line += LogLine.escaped(message)
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) { Self.append(key, value, to: &line) }
            line += "\n"
            return line
        case .json:
            let sorted = fields.sorted { $0.key < $1.key }
            var pairs: [(String, String)] = time.map { [("time", $0)] } ?? []
            pairs += [("level", "\(level)"), ("label", label), ("message", message)]
            pairs += sorted.map { ($0.key, "\($0.value)") }
            return "{" + pairs.map { "\(LogLine.jsonString($0.0)):\(LogLine.jsonString($0.1))" }.joined(separator: ",")
                + "}\n"
        }
    }

    /// The levels in the order of ``position(of:)``.
    private static let levels: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]

    /// Where `level` is in ``levels``: a switch, where `allCases` would build an array on every line.
    private static func position(of level: Logger.Level) -> Int {
        switch level {
        case .trace: 0
        case .debug: 1
        case .info: 2
        case .notice: 3
        case .warning: 4
        case .error: 5
        case .critical: 6
        }
    }

    /// `[TIME ]PREFIXMESSAGE[ KEY=VALUE]` and a newline, the pieces escaped already, copied into one string made
    /// to their total size.
    private static func textLine(
        time: String?, prefix: String, message: String, field: (key: String, value: String)?
    ) -> String {
        var count = prefix.utf8.count + message.utf8.count + 1
        if let time { count += time.utf8.count + 1 }
        if let field { count += field.key.utf8.count + field.value.utf8.count + 2 }
        return String(unsafeUninitializedCapacity: count) { buffer in
            var end = 0
            if let time {
                copy(time, to: buffer, at: &end)
                buffer[end] = UInt8(ascii: " ")
                end += 1
            }
            copy(prefix, to: buffer, at: &end)
            copy(message, to: buffer, at: &end)
            if let field {
                buffer[end] = UInt8(ascii: " ")
                end += 1
                copy(field.key, to: buffer, at: &end)
                buffer[end] = UInt8(ascii: "=")
                end += 1
                copy(field.value, to: buffer, at: &end)
            }
            buffer[end] = UInt8(ascii: "\n")
            return end + 1
        }
    }

    /// Copies `piece`'s UTF-8 into `buffer` at `end`, and moves `end` past it. (A function of its own, not one nested
    /// in ``textLine(time:prefix:message:field:)``: a nested one captures `end`, whose every use is then checked
    /// for exclusive access at run time.)
    private static func copy(_ piece: String, to buffer: UnsafeMutableBufferPointer<UInt8>, at end: inout Int) {
        let start = end
        let copied = piece.utf8.withContiguousStorageIfAvailable { bytes in
            UnsafeMutableBufferPointer(rebasing: buffer[start...]).initialize(fromContentsOf: bytes)
        }
        if let copied {
            end += copied
        } else {
            for byte in piece.utf8 {
                buffer[end] = byte
                end += 1
            }
        }
    }

    /// ` key=value`, both escaped.
    private static func append(_ key: String, _ value: Logger.MetadataValue, to line: inout String) {
        line += " "
        line += LogLine.escaped(key)
        line += "="
        line += LogLine.escaped(value.description)
    }
}

/// The current time as `2026-12-04T23:40:00.123Z`.
enum UTCTimestamp {
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return text(parts, milliseconds: Int(spec.tv_nsec / 1_000_000))
    }

    /// `parts` and `milliseconds` (0 to 999) as text, each field clamped to its width, written byte by byte into one string: a
    /// line per message is logged, and a dozen interpolated pieces cost a dozen allocations.
    static func text(_ parts: tm, milliseconds: Int) -> String {
        String(unsafeUninitializedCapacity: 24) { buffer in
            var count = 0
            func put(_ value: Int, digits: Int) {
                var divisor = 1
                for _ in 1..<digits { divisor *= 10 }
                // Out of range (a clock before year 0 or past 9999) is clamped, never trapped on.
                var rest = min(max(value, 0), divisor * 10 - 1)
                for _ in 0..<digits {
                    buffer[count] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: (rest / divisor) % 10)
                    count += 1
                    rest %= divisor
                    divisor /= 10
                }
            }
            func put(_ byte: Unicode.Scalar) {
                buffer[count] = UInt8(ascii: byte)
                count += 1
            }
            put(Int(parts.tm_year) + 1900, digits: 4)
            put("-")
            put(Int(parts.tm_mon) + 1, digits: 2)
            put("-")
            put(Int(parts.tm_mday), digits: 2)
            put("T")
            put(Int(parts.tm_hour), digits: 2)
            put(":")
            put(Int(parts.tm_min), digits: 2)
            put(":")
            put(Int(parts.tm_sec), digits: 2)
            put(".")
            put(milliseconds, digits: 3)
            put("Z")
            return count
        }
    }
}
