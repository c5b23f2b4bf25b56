import Foundation
import MilterTestSupport
import Testing

/// The daemon's fatal start-up errors on the built binary: the rules are checked before anything is
/// bound or said to be served, and with `--log-format json` the error is a JSON log line like the others.
@Suite(.tags(.integration)) struct DaemonStartupErrorTests {
    static func run(_ arguments: [String]) async throws -> ProcessResult {
        try await ProcessRunner.run(
            TestPaths.builtProduct("reference-milter"), ["daemon"] + arguments,
            environment: DaemonTests.cleanEnvironment, timeout: .seconds(30))
    }

    /// The JSON objects of the lines of `text`; `nil` when a line is not one.
    static func jsonLines(_ text: String) -> [[String: String]]? {
        var objects: [[String: String]] = []
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String] else {
                return nil
            }
            objects.append(object)
        }
        return objects
    }

    /// A rules file with an error ends the daemon (exit 2) before the metrics listener is bound: a
    /// daemon replacing another under reload-proxy said it was waiting for the metrics address, the
    /// milter "served meanwhile", before it reported the rules error.
    @Test func theRulesAreCheckedBeforeTheMetricsListener() async throws {
        let directory = try Scratch.makeDirectory("startup-rules")
        defer { Scratch.remove(directory) }
        let rules = directory.appendingPathComponent("rules.txt").path
        try TemporaryFile.write(Array("subjet contains \"x\" => reject\n".utf8), to: rules)
        let result = try await Self.run(["127.0.0.1:0", "--config", rules, "--metrics", "127.0.0.1:0"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("\(rules): line 1, column 1: unknown field 'subjet'"), "\(result.stderr)")
        #expect(!result.stderr.contains("metrics"), "\(result.stderr)")
        #expect(!result.stderr.contains("listening"), "\(result.stderr)")
    }

    /// With `--log-format json`, a fatal start-up error is one JSON line with the fields of the daemon's
    /// other lines (level, label, message), as reload-proxy's are; it was plain text.
    @Test func aFatalStartupErrorIsAJSONLineWithJSONLogs() async throws {
        let (fd, port) = try FreePort.boundSocket(host: "127.0.0.1")
        defer { close(fd) }
        #expect(listen(fd, 4) == 0)
        for (arguments, message) in [
            (
                ["127.0.0.1:\(port)"],
                "cannot listen on 127.0.0.1:\(port): the address is already in use"
            ),
            (
                ["127.0.0.1:0", "--config", "/nonexistent/rules"],
                "/nonexistent/rules: cannot read: No such file or directory"
            ),
        ] {
            let result = try await Self.run(arguments + ["--log-format", "json"])
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            let lines = try #require(Self.jsonLines(result.stderr), "\(arguments): \(result.stderr)")
            let fatal = lines.last
            #expect(fatal?["message"] == message, "\(arguments): \(result.stderr)")
            #expect(fatal?["level"] == "critical", "\(arguments): \(result.stderr)")
            #expect(fatal?["label"] == "reference-milter", "\(arguments): \(result.stderr)")
            // Plain text without it, as before.
            let plain = try await Self.run(arguments)
            #expect(plain.status == 2)
            #expect(plain.stderr.contains("reference-milter: \(message)\n"), "\(arguments): \(plain.stderr)")
        }
    }
}
