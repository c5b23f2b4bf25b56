import ArgumentParser

/// A number of seconds as an option takes it: decimal digits, with a fraction after a point (`30`, `0.5`, `.25`),
/// and a sign, for the range check to refuse with the range. Any other form that `Double` reads (`0x10`, read as
/// 16; `1e3`; `inf`) is kept as written and refused by ``NumericOption``'s checks of seconds, naming the option:
/// `--classifier-timeout 0x10` was taken as 16 seconds, silently.
///
/// A default is written as a literal (`var stopTimeout: SecondsArgument = 30`), and the help shows it as written.
package struct SecondsArgument: ExpressibleByArgument, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    Sendable, Hashable
{
    /// The value as given.
    package let text: String
    /// The seconds; not a number (`nan`) when ``text`` is not written in decimal digits.
    package let seconds: Double

    /// Always a value, so that the check, not ArgumentParser's generic message, says what is wrong.
    package init?(argument: String) {
        text = argument
        seconds = Self.isDecimal(argument) ? Double(argument) ?? .nan : .nan
    }

    /// A default of whole seconds.
    package init(integerLiteral value: Int) {
        text = String(value)
        seconds = Double(value)
    }

    /// A default with a fraction, such as `0.1`.
    package init(floatLiteral value: Double) {
        text = "\(value)"
        seconds = value
    }

    /// The help's `(default: 30)`: the value as written, not the structure.
    package var defaultValueDescription: String { text }

    /// Whether `text` is digits with at most one point among or around them, after an optional sign.
    package static func isDecimal(_ text: String) -> Bool {
        var rest = Substring(text)
        if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let digitsOnly = parts.allSatisfy {
            $0.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
        return digitsOnly && parts.contains { !$0.isEmpty }
    }
}
