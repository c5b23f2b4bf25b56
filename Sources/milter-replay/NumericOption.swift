import ArgumentParser

/// Range checks for numeric options: a value out of range, infinite or not a number is a usage error
/// that names the option, its range and the value given.
enum NumericOption {
    /// The range of every timeout, in seconds: a millisecond to a day.
    static let timeoutSeconds: ClosedRange<Double> = 0.001...86_400
    /// The range of `--duration`, in seconds: a millisecond to a week.
    static let durationSeconds: ClosedRange<Double> = 0.001...604_800
    /// The range of `--rate`, in messages per second.
    static let ratePerSecond: ClosedRange<Double> = 0.001...1_000_000

    /// Throws unless `value` is nil or a finite number in `range`.
    static func check(_ value: Double?, _ name: String, in range: ClosedRange<Double>, unit: String) throws {
        guard let value else { return }
        guard value.isFinite, range.contains(value) else {
            throw ValidationError(
                "\(name) must be a number from \(text(range.lowerBound)) to \(text(range.upperBound)) \(unit); "
                    + "got \(text(value))")
        }
    }

    /// Throws unless `value` is nil or in `range`.
    static func check(_ value: Int?, _ name: String, in range: ClosedRange<Int>) throws {
        guard let value else { return }
        guard range.contains(value) else {
            throw ValidationError("\(name) must be from \(range.lowerBound) to \(range.upperBound); got \(value)")
        }
    }

    private static func text(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
