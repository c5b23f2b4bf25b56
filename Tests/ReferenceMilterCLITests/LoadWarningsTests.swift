import Foundation
import MilterTestSupport
import Testing
import UnixSignals

@testable import ReferenceMilter
@testable import ReferenceMilterCLI

/// The daemon logs a rules classifier's warnings (an /etc/resolv.conf with more than 3 nameservers for `dnsbl`
/// rules) at start-up and on a SIGHUP reload, and `check-config` prints them, as the warning of a file with no
/// rules; they were never said.
@Suite struct LoadWarningsTests {
    static let warning = "lists 5 nameservers; only the first 3 are used, as glibc does"

    /// `dnsbl` rules whose resolver is read from a resolv.conf of 5 servers.
    static func classifier(in directory: URL) throws -> RulesClassifier {
        let path = directory.appendingPathComponent("resolv.conf").path
        let text = (1...5).map { "nameserver 192.0.2.\($0)\n" }.joined()
        try TemporaryFile.write(Array(text.utf8), to: path)
        return try RulesClassifier(
            rules: RuleParser.parse("dnsbl zen.spamhaus.org => reject\n"), resolver: nil, resolvConf: path)
    }

    @Test func theDaemonLogsThemAtStartUpAndOnAReload() async throws {
        let directory = try Scratch.makeDirectory("load-warnings")
        defer { Scratch.remove(directory) }
        let loaded = try Self.classifier(in: directory)
        let log = LogLines()
        // At start-up.
        log.logger().warnOfLoaded(loaded, from: "rules.txt")
        #expect(log.all.count == 1 && log.all.first?.hasPrefix("warning test: ") == true, "\(log.all)")
        #expect(log.all.first?.contains("/resolv.conf \(Self.warning)") == true, "\(log.all)")
        #expect(log.all.first?.contains("config=rules.txt") == true, "\(log.all)")
        // On a SIGHUP that loads the file.
        let reloader = RulesReloader(
            classifier: ReloadableClassifier(RulesClassifier.default), path: "rules.txt",
            signals: await UnixSignalsSequence(trapping: []), load: { _ in loaded }, logger: log.logger())
        #expect(reloader.reload())
        #expect(log.all.filter { $0.contains(Self.warning) }.count == 2, "\(log.all)")
    }

    @Test func checkConfigPrintsThem() throws {
        let directory = try Scratch.makeDirectory("load-warnings")
        defer { Scratch.remove(directory) }
        let warnings = CheckConfigCommand.warnings(of: try Self.classifier(in: directory))
        #expect(warnings.count == 1 && warnings.first?.hasSuffix(Self.warning) == true, "\(warnings)")
        #expect(CheckConfigCommand.warnings(of: RulesClassifier.default).isEmpty)
        #expect(
            CheckConfigCommand.warnings(of: try RulesClassifier(rules: [])) == [CheckConfigCommand.noRules])
    }
}
