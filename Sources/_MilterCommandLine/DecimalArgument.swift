import ArgumentParser

/// A number as an option takes it: decimal digits, with a fraction after a point (`30`, `0.5`, `.25`), and a minus
/// sign, for the range check to refuse with the range. Any other form that `Double` reads (`0x10`, read as 16;
/// `1e3`; `inf`; `+5`) is kept as written and refused by ``NumericOption``'s checks, naming the option:
/// `--classifier-timeout 0x10` was taken as 16 seconds, and `--rate 0x10` as 16 messages a second, silently.
///
/// A default is written as a literal (`var stopTimeout: SecondsArgument = 30`), and the help shows it as written.
package struct DecimalArgument: ExpressibleByArgument, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    Sendable, Hashable
{
    /// The value as given.
    package let text: String
    /// The number; not a number (`nan`) when ``text`` is not written in decimal digits.
    package let value: Double

    /// Always a value, so that the check, not ArgumentParser's generic message, says what is wrong.
    package init?(argument: String) {
        text = argument
        value = Self.isDecimal(argument) ? Double(argument) ?? .nan : .nan
    }

    /// A whole default.
    package init(integerLiteral value: Int) {
        text = String(value)
        self.value = Double(value)
    }

    /// A default with a fraction, such as `0.1`.
    package init(floatLiteral value: Double) {
        text = "\(value)"
        self.value = value
    }

    /// The help's `(default: 30)`: the value as written, not the structure.
    package var defaultValueDescription: String { text }

    /// Whether `text` is digits with at most one point among or around them (none when `fraction` is false), after
    /// an optional minus sign; `+5` is not taken.
    package static func isDecimal(_ text: String, fraction: Bool = true) -> Bool {
        var rest = Substring(text)
        if rest.first == "-" { rest = rest.dropFirst() }
        let parts = rest.split(separator: ".", maxSplits: fraction ? 1 : 0, omittingEmptySubsequences: false)
        let digitsOnly = parts.allSatisfy {
            $0.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
        return digitsOnly && parts.contains { !$0.isEmpty }
    }
}
