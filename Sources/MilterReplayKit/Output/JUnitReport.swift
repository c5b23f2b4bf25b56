#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `--junit FILE` output: a test case per message; a mismatch or finding is a failure, an
/// unreachable milter or an input error an error.
package enum JUnitReport {
    /// The document; `showsValues` shows the envelope addresses in the rows' replies (``TextReport/line(_:showsValues:)``).
    /// A run that SIGINT or SIGTERM stopped (`interrupted`) has one more test case, `interrupted`, an error.
    package static func document(
        _ outcomes: [MessageOutcome], seconds: Double, showsValues: Bool = false, interrupted: Interrupted? = nil
    ) -> String {
        let failures = outcomes.filter { $0.error == nil && $0.isFailure }.count
        let errors = outcomes.filter { $0.error != nil }.count + (interrupted == nil ? 0 : 1)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites>\n"
        xml +=
            "  <testsuite name=\"milter-replay\" tests=\"\(outcomes.count + (interrupted == nil ? 0 : 1))\" failures=\"\(failures)\""
        xml += " errors=\"\(errors)\" time=\"\(String(format3: seconds))\">\n"
        for outcome in outcomes { xml += testCase(outcome, showsValues: showsValues) }
        if let interrupted { xml += interruptedCase(TextReport.messagesLine(interrupted)) }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    private static func testCase(_ outcome: MessageOutcome, showsValues: Bool) -> String {
        let path = outcome.entry.path
        let name = "\(path.lastPathComponent) #\(outcome.sequence)"
        var xml = "    <testcase classname=\"\(escape(path.deletingLastPathComponent))\" name=\"\(escape(name))\""
        xml += " time=\"\(String(format3: outcome.latency.milliseconds / 1000))\">\n"
        if let error = outcome.error {
            xml += "      <error message=\"\(escape(error))\"/>\n"
        } else if outcome.isFailure {
            var messages: [String] = []
            if outcome.isMismatch {
                messages.append(
                    "expected \(outcome.entry.expected!.rawValue), got \(outcome.verdict?.rawValue ?? "none")")
            }
            messages += outcome.expectationFailures
            messages += outcome.findings.map { "\(TextReport.label($0).lowercased()) \($0.code) \($0)" }
            xml += "      <failure message=\"\(escape(messages.joined(separator: "; ")))\"/>\n"
        }
        xml += "      <system-out>\(escape(TextReport.line(outcome, showsValues: showsValues)))</system-out>\n"
        return xml + "    </testcase>\n"
    }

    /// The test case that marks a run stopped by a signal: `line` says how.
    static func interruptedCase(_ line: String) -> String {
        "    <testcase classname=\"milter-replay\" name=\"interrupted\" time=\"0.000\">\n"
            + "      <error type=\"interrupted\" message=\"\(escape(line))\"/>\n    </testcase>\n"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case _ where scalar.value < 0x20 && scalar != "\t": out += "?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
