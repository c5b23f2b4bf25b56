import Foundation
import MilterTestSupport

/// The `milter-replay` executable SwiftPM builds beside the test bundle (InteropTests depends on it),
/// run as a user would.
enum MilterReplayBinary {
    /// Its path.
    static var path: String { TestPaths.builtProduct("milter-replay") }

    /// A capture in fixtures/pcap.
    static func capture(_ name: String) -> String {
        TestPaths.root.appendingPathComponent("fixtures/pcap/\(name)").path
    }

    /// Runs it to completion.
    static func run(_ arguments: [String], timeout: Duration = .seconds(180)) async throws -> ProcessResult {
        try await ProcessRunner.run(path, arguments, timeout: timeout)
    }

    /// The JSON objects of a `--json` run, one per line.
    static func jsonLines(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw HarnessError("not a JSON object: \(line)")
            }
            return object
        }
    }
}
