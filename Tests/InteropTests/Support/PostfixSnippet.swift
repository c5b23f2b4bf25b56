import Foundation
import MilterTestSupport

/// contrib/postfix/main.cf.snippet, the settings the deployment guide tells admins to use, read as
/// `name=value` settings for a test instance: the interop tests run with exactly what we ship.
enum PostfixSnippet {
    static let path = TestPaths.root.appendingPathComponent("contrib/postfix/main.cf.snippet")

    /// The snippet's settings in file order, with `smtpd_milters` pointing at `milter` (e.g. `inet:127.0.0.1:PORT`).
    static func settings(milter: String) throws -> [String] {
        try parse(String(contentsOf: path, encoding: .utf8)).map { name, value in
            "\(name)=\(name == "smtpd_milters" ? milter : value)"
        }
    }

    /// The `name = value` lines of a main.cf fragment; comments and blank lines are skipped.
    static func parse(_ text: String) -> [(String, String)] {
        text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else {
                return nil
            }
            return (
                trimmed[..<equals].trimmingCharacters(in: .whitespaces),
                trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            )
        }
    }
}
