/// Writes a piece of transcript text into memory reserved for it beforehand, then appends it to an array at once:
/// the dump's fast path builds each line this way, without a capacity or uniqueness check of the array per piece.
struct LineWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// The bytes written so far.
    private(set) var count = 0

    private static let hexDigits: StaticString = "0123456789abcdef"

    private init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    /// Runs `body` with a writer of at most `capacity` bytes; when it returns true, appends what it wrote to
    /// `output`. Writing past `capacity` traps, so callers reserve an upper bound of what they write.
    static func append(
        to output: inout [UInt8], reserving capacity: Int, _ body: (inout LineWriter) -> Bool
    ) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var writer = LineWriter(base: buffer.baseAddress!, capacity: capacity)
            guard body(&writer) else { return false }
            output.append(contentsOf: UnsafeBufferPointer(start: buffer.baseAddress, count: writer.count))
            return true
        }
    }

    /// The most bytes ``quoted(_:limit:)`` writes for `count` bytes.
    static func quotedCapacity(_ count: Int, limit: Int = .max) -> Int { 5 + 4 * min(count, limit) }

    private mutating func reserve(_ more: Int) -> UnsafeMutablePointer<UInt8> {
        precondition(more <= capacity - count, "LineWriter: capacity exceeded")
        defer { count += more }
        return base + count
    }

    /// One byte.
    mutating func byte(_ value: UInt8) {
        reserve(1).pointee = value
    }

    /// Bytes as they are.
    mutating func bytes(_ raw: UnsafeRawBufferPointer) {
        guard let source = raw.baseAddress else { return }
        reserve(raw.count).update(from: source.assumingMemoryBound(to: UInt8.self), count: raw.count)
    }

    /// A literal's UTF-8.
    mutating func text(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes(UnsafeRawBufferPointer($0)) }
    }

    /// `count` zeros, none when `count` is not positive.
    mutating func zeros(_ count: Int) {
        guard count > 0 else { return }
        reserve(count).update(repeating: UInt8(ascii: "0"), count: count)
    }

    /// `count` spaces.
    mutating func spaces(_ count: Int) {
        guard count > 0 else { return }
        reserve(count).update(repeating: 32, count: count)
    }

    /// `value` in decimal with leading zeros up to `width` digits (at most 20).
    mutating func decimal(_ value: UInt64, width: Int = 1) {
        var digits = 1
        var bound: UInt64 = 10
        while digits < 20 && value >= bound {
            digits += 1
            bound = bound &* 10
        }
        let total = max(digits, min(width, 20))
        let start = reserve(total)
        var index = total
        var rest = value
        // Two digits per division, from a table of the pairs 00 to 99.
        Self.digitPairs.withUTF8Buffer { pairs in
            while rest >= 100 {
                let pair = Int(rest % 100) &* 2
                rest /= 100
                index -= 2
                start[index] = pairs[pair]
                start[index + 1] = pairs[pair + 1]
            }
            if rest >= 10 {
                index -= 2
                start[index] = pairs[Int(rest) &* 2]
                start[index + 1] = pairs[Int(rest) &* 2 + 1]
            } else {
                index -= 1
                start[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest)
            }
        }
        while index > 0 {
            index -= 1
            start[index] = UInt8(ascii: "0")
        }
    }

    private static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// `value` in decimal, with a minus sign when negative.
    mutating func signed(_ value: Int) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        decimal(UInt64(value.magnitude))
    }

    /// The most bytes ``offset(from:to:)`` writes.
    static let offsetCapacity = 28

    /// Seconds with six decimals from `start` to `time`, signed: `+1.000250`.
    mutating func offset(from start: CaptureTimestamp, to time: CaptureTimestamp) {
        let nanoseconds = time.totalNanoseconds &- start.totalNanoseconds
        let micros = nanoseconds.magnitude / 1000
        byte(nanoseconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        decimal(micros / 1_000_000)
        byte(UInt8(ascii: "."))
        decimal(micros % 1_000_000, width: 6)
    }

    /// `"escaped"`, and `...` when cut at `limit`: printable ASCII stays, everything else becomes `\r`, `\n`, `\t`
    /// or `\xNN`. Runs of bytes that need no escape are copied whole. Needs ``quotedCapacity(_:limit:)`` bytes.
    mutating func quoted(_ raw: UnsafeRawBufferPointer, limit: Int = .max) {
        byte(UInt8(ascii: "\""))
        let shown = min(raw.count, limit)
        var run = 0
        for index in 0..<shown {
            let value = raw[index]
            guard value < 0x20 || value >= 0x7F || value == UInt8(ascii: "\"") || value == UInt8(ascii: "\\") else {
                continue
            }
            bytes(UnsafeRawBufferPointer(rebasing: raw[run..<index]))
            escaped(value)
            run = index + 1
        }
        bytes(UnsafeRawBufferPointer(rebasing: raw[run..<shown]))
        byte(UInt8(ascii: "\""))
        if raw.count > limit { text("...") }
    }

    private mutating func escaped(_ value: UInt8) {
        byte(UInt8(ascii: "\\"))
        switch value {
        case UInt8(ascii: "\r"): byte(UInt8(ascii: "r"))
        case UInt8(ascii: "\n"): byte(UInt8(ascii: "n"))
        case UInt8(ascii: "\t"): byte(UInt8(ascii: "t"))
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): byte(value)
        default:
            byte(UInt8(ascii: "x"))
            Self.hexDigits.withUTF8Buffer { digits in
                byte(digits[Int(value >> 4)])
                byte(digits[Int(value & 0xF)])
            }
        }
    }
}
