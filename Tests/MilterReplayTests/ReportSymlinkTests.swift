import Foundation
import MilterReplayKit
import MilterTestSupport
import Testing

/// `--junit` and `--report` are never written through a symbolic link planted at their path: refused before the run
/// (a usage error that names the link, the link's target untouched) and again when written (`O_NOFOLLOW`), for a
/// link planted during the run. A report that shows values unredacted (`--show-values`) is its owner's only.
struct ReportSymlinkTests {
    static let accept = ReplayBinary.fixture("replay/accept.eml")
    static let scenario = TestPaths.root.appendingPathComponent("Examples/scenarios/reference-milter.yaml").path

    /// A directory with `victim` (a file whose contents must survive) and `link` pointing to it.
    struct PlantedLink {
        let directory: URL
        var victim: String { directory.appendingPathComponent("victim").path }
        var link: String { directory.appendingPathComponent("link").path }
        static let contents = "not a report\n"

        init() throws {
            directory = try Scratch.makeDirectory("report-link")
            try Self.contents.write(toFile: victim, atomically: false, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
        }

        var victimIsIntact: Bool { (try? String(contentsOfFile: victim, encoding: .utf8)) == Self.contents }
    }

    @Test(arguments: [
        ["--junit", "LINK", ReportSymlinkTests.accept], ["--report", "LINK", ReportSymlinkTests.accept],
        ["conformance", "--junit", "LINK"], ["conformance", "--report", "LINK"],
        ["scenario", ReportSymlinkTests.scenario, "--junit", "LINK"],
        ["--pcap", ReplayBinary.fixture("pcap/postfix-cmilter-any-sll2.pcap"), "--report", "LINK"],
    ])
    func aLinkAtAReportPathIsRefusedBeforeTheRun(arguments: [String]) async throws {
        let planted = try PlantedLink()
        defer { Scratch.remove(planted.directory) }
        let option = arguments.first { $0.hasPrefix("--junit") || $0.hasPrefix("--report") } ?? ""
        let result = try await ReplayBinary.run(arguments.map { $0 == "LINK" ? planted.link : $0 })
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(
            result.stderr.contains(
                "\(option) \(planted.link): is a symbolic link; a report is not written through one"),
            "\(result.stderr)")
        #expect(planted.victimIsIntact)
    }

    /// A link planted after the check (during the run) is refused when the report is written: the target keeps its
    /// contents and the error names the link.
    @Test func aLinkPlantedDuringTheRunIsNotFollowed() throws {
        let planted = try PlantedLink()
        defer { Scratch.remove(planted.directory) }
        let failure = OutputPath.write("<testsuites/>\n", to: planted.link, option: "--junit")
        #expect(failure?.contains("--junit \(planted.link): is a symbolic link") == true, "\(failure ?? "written")")
        #expect(planted.victimIsIntact)
        // A link to nowhere is refused too, not created through.
        let dangling = planted.directory.appendingPathComponent("dangling").path
        let nowhere = planted.directory.appendingPathComponent("nowhere").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: nowhere)
        #expect(OutputPath.write("x", to: dangling, option: "--report") != nil)
        #expect(!FileManager.default.fileExists(atPath: nowhere))
    }

    /// A report is 0644 (it is meant to be published) unless it shows values unredacted: then 0600, also for a
    /// file that was there before with a wider mode.
    @Test func aReportWithValuesShownIsItsOwnersOnly() throws {
        let directory = try Scratch.makeDirectory("report-mode")
        defer { Scratch.remove(directory) }
        let path = directory.appendingPathComponent("report.xml").path
        func mode() throws -> Int {
            try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? -1
        }
        #expect(OutputPath.write("a\n", to: path, option: "--junit") == nil)
        #expect(try mode() & 0o600 == 0o600)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(OutputPath.write("b\n", to: path, option: "--junit", ownerOnly: true) == nil)
        #expect(try mode() == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "b\n")
    }

    /// On the built binary: `--show-values --junit` writes the file 0600.
    @Test func showValuesMakesTheJUnitFileOwnerOnly() async throws {
        let directory = try Scratch.makeDirectory("report-mode-binary")
        defer { Scratch.remove(directory) }
        let path = directory.appendingPathComponent("report.xml").path
        let result = try await ReplayBinary.run(["--show-values", "--junit", path, Self.accept])
        #expect(result.status == 0, "\(result.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
