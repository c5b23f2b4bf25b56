import Foundation
import MilterDNS
import MilterTestSupport
import Testing

@testable import ReferenceMilter

/// Rules that use `dnsbl` with the system's resolver say when resolv.conf lists more nameservers than the 3 glibc
/// uses (``RulesClassifier/warnings``): the later ones were counted (`ResolvConf.ignoredNameservers`) but never
/// said, so an operator who added a fourth server believed it asked.
@Suite struct ResolvConfWarningTests {
    static let dnsblRules = "dnsbl zen.spamhaus.org => reject\n"

    /// A resolv.conf of `count` servers in a fresh directory; returns its path and the directory.
    static func resolvConf(servers count: Int) throws -> (path: String, directory: URL) {
        let directory = try Scratch.makeDirectory("resolv-conf")
        let path = directory.appendingPathComponent("resolv.conf").path
        let text = (1...count).map { "nameserver 192.0.2.\($0)\n" }.joined()
        try TemporaryFile.write(Array(text.utf8), to: path)
        return (path, directory)
    }

    @Test func moreThanThreeNameserversAreWarnedOf() throws {
        let (path, directory) = try Self.resolvConf(servers: 5)
        defer { Scratch.remove(directory) }
        let classifier = try RulesClassifier(rules: RuleParser.parse(Self.dnsblRules), resolver: nil, resolvConf: path)
        #expect(classifier.warnings == ["\(path) lists 5 nameservers; only the first 3 are used, as glibc does"])
    }

    @Test func threeNameserversAreNot() throws {
        let (path, directory) = try Self.resolvConf(servers: 3)
        defer { Scratch.remove(directory) }
        let classifier = try RulesClassifier(rules: RuleParser.parse(Self.dnsblRules), resolver: nil, resolvConf: path)
        #expect(classifier.warnings.isEmpty)
    }

    /// Rules without `dnsbl` do not read resolv.conf, and a resolver of the caller's own is not the system's.
    @Test func onlyTheSystemResolverOfDNSBLRulesIsWarnedOf() throws {
        let (path, directory) = try Self.resolvConf(servers: 5)
        defer { Scratch.remove(directory) }
        let plain = try RulesClassifier(
            rules: RuleParser.parse("subject contains \"x\" => reject\n"), resolver: nil, resolvConf: path)
        #expect(plain.warnings.isEmpty)
        let own = try RulesClassifier(
            rules: RuleParser.parse(Self.dnsblRules), resolver: DNSResolver(host: "127.0.0.1"), resolvConf: path)
        #expect(own.warnings.isEmpty)
    }
}
