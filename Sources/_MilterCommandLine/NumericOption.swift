import ArgumentParser

/// Range checks for numeric options, shared by `milter-replay` and the milter binaries: a value out of range,
/// infinite or not a number is a usage error that names the option, its range and the value given.
///
/// Options checked here are declared with `parsing: .unconditional`, so that `--timeout -1` reaches the check
/// instead of ArgumentParser's "Missing value".
package enum NumericOption {
    /// The range of every timeout, in seconds: a millisecond to a day.
    package static let timeoutSeconds: ClosedRange<Double> = 0.001...86_400
    /// The range of `--duration`, in seconds: a millisecond to a week.
    package static let durationSeconds: ClosedRange<Double> = 0.001...604_800
    /// The range of `--rate`, in messages per second.
    package static let ratePerSecond: ClosedRange<Double> = 0.001...1_000_000
    /// The range of a count of threads.
    package static let threads: ClosedRange<Int> = 1...256

    /// Throws unless `value` is nil or, written in decimal digits, a number of `unit` in `range`: `0x10` or
    /// `1e3` is refused with the range and the forms taken, not read as 16 or 1000.
    package static func check(
        _ value: DecimalArgument?, _ name: String, in range: ClosedRange<Double>, unit: String = "seconds"
    ) throws {
        try check(value, name, bounds: "from \(text(range.lowerBound)) to \(text(range.upperBound)) \(unit)") {
            range.contains($0)
        }
    }

    /// The same for a range its upper bound excluded, given as `from 0.001 to under 86400 seconds`.
    package static func check(
        _ value: DecimalArgument?, _ name: String, in range: Range<Double>, unit: String = "seconds"
    ) throws {
        try check(
            value, name, bounds: "from \(text(range.lowerBound)) to under \(text(range.upperBound)) \(unit)"
        ) {
            range.contains($0)
        }
    }

    /// The error names the option, the range and, for a form other than decimal digits, the forms taken:
    /// `--idle-timeout must be a number from 0.001 to 86400 seconds, in decimal digits (such as 30 or 0.5); got 0x10`.
    private static func check(
        _ value: DecimalArgument?, _ name: String, bounds: String, contains: (Double) -> Bool
    ) throws {
        guard let value else { return }
        let decimal = DecimalArgument.isDecimal(value.text)
        guard decimal, value.value.isFinite, contains(value.value) else {
            let forms = decimal ? "" : ", in decimal digits (such as 30 or 0.5)"
            throw ValidationError("\(name) must be a number \(bounds)\(forms); got \(value.text)")
        }
    }

    /// Throws unless `value` is nil or in `range`.
    package static func check(_ value: Int?, _ name: String, in range: ClosedRange<Int>) throws {
        guard let value else { return }
        guard range.contains(value) else {
            throw ValidationError("\(name) must be from \(range.lowerBound) to \(range.upperBound); got \(value)")
        }
    }

    private static func text(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
