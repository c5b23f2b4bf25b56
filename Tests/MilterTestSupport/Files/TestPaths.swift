import Foundation

/// Where the tests find the repository's files and the executables SwiftPM built.
package enum TestPaths {
    /// The repository root, found from this file's path (`Tests/MilterTestSupport/Files/`).
    package static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `relative` under the repository's `fixtures/` directory.
    package static func fixtures(_ relative: String) -> URL {
        root.appendingPathComponent("fixtures").appendingPathComponent(relative)
    }

    /// The path of an executable SwiftPM built beside the test bundle; the test target must depend on it.
    package static func builtProduct(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
