import Foundation
import MilterReplayKit
import MilterTestSupport
import Testing

/// Report paths are checked before the run, a manifest must match its inputs, and a bad verdict word lists the
/// good ones: each a usage error (exit 2) in words, on the built `milter-replay`.
struct OutputPathAndManifestTests {
    static let accept = ReplayBinary.fixture("replay/accept.eml")

    @Test(arguments: ["/nonexistent/dir/j.xml", "/tmp", "/etc/passwd/j.xml"])
    func aJUnitPathThatCannotBeWrittenFailsBeforeTheRun(path: String) async throws {
        let result = try await ReplayBinary.run(["--junit", path, Self.accept])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--junit \(path)"), "\(result.stderr)")
        #expect(!result.stdout.contains("messages:"), "the run should not have started: \(result.stdout)")
    }

    @Test func aManifestLineThatMatchesNoFileIsAnError() async throws {
        let directory = try Scratch.makeDirectory("manifest")
        defer { Scratch.remove(directory) }
        let manifest = directory.appendingPathComponent("m.manifest")
        try "accept.eml accept\nacept.eml reject\n".write(to: manifest, atomically: true, encoding: .utf8)
        let result = try await ReplayBinary.run(["--manifest", manifest.path, Self.accept])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("m.manifest:2: acept.eml"), "\(result.stderr)")
        #expect(!result.stderr.contains("m.manifest:1"), "\(result.stderr)")
    }

    @Test func anUnknownVerdictListsTheValidOnes() async throws {
        let directory = try Scratch.makeDirectory("manifest")
        defer { Scratch.remove(directory) }
        let manifest = directory.appendingPathComponent("m.manifest")
        try "accept.eml rejekt\n".write(to: manifest, atomically: true, encoding: .utf8)
        let result = try await ReplayBinary.run(["--manifest", manifest.path, Self.accept])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("'rejekt'"), "\(result.stderr)")
        #expect(result.stderr.contains("accept, reject, tempfail, discard or quarantine"), "\(result.stderr)")
    }
}

/// A report that cannot be written after the run is said in words, exit 2. `/dev/full`, which was the way to get
/// one from the binary, is a device, refused before the run since a path that is not a regular file is (a FIFO
/// there blocked the program at the end of the run).
struct ReportWriteFailureTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func aDeviceIsRefusedBeforeTheRun() async throws {
        let result = try await ReplayBinary.run(["--junit", "/dev/full", ReplayBinary.fixture("replay/accept.eml")])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(!result.stdout.contains("messages:"), "the run did not happen: \(result.stdout)")
        #expect(result.stderr.contains("--junit /dev/full: is not a regular file"), "\(result.stderr)")
    }

    /// The directory gone by the time the report is written (checked before the run): the system's words.
    @Test func aWriteFailureAfterTheRunIsSaidInWords() throws {
        let directory = try Scratch.makeDirectory("report-gone")
        let path = directory.appendingPathComponent("report.xml").path
        Scratch.remove(directory)
        #expect(
            OutputPath.write("<testsuites/>\n", to: path, option: "--junit")
                == "cannot write the report: --junit \(path): No such file or directory")
    }
}

/// `--export-eml DIR` whose parent does not exist fails before the capture is read, in words; a symbolic link under
/// an exported file's name is not written through.
struct ExportDirectoryTests {
    /// The file names are predictable (`stream-0-message-01.eml`): a link planted under one in a shared directory
    /// had its target, anywhere, overwritten with the message.
    @Test func aSymbolicLinkUnderAnExportedNameIsNotWrittenThrough() async throws {
        let directory = try Scratch.makeDirectory("export-link")
        defer { Scratch.remove(directory) }
        let target = directory.appendingPathComponent("precious.txt").path
        try TemporaryFile.write(Array("keep".utf8), to: target)
        let out = directory.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(
            atPath: out + "/stream-0-message-01.eml", withDestinationPath: target)
        let capture = ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap")
        let result = try await ReplayBinary.run(["--pcap", capture, "--export-eml", out])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("cannot write \(out)/stream-0-message-01.eml"), "\(result.stderr)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
    }

    /// Exported messages are recorded mail: readable by their owner only, as `record`'s capture is (they were 0644).
    @Test func exportedMessagesAreReadableByTheirOwnerOnly() async throws {
        let directory = try Scratch.makeDirectory("export-mode")
        defer { Scratch.remove(directory) }
        let out = directory.appendingPathComponent("out").path
        let capture = ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap")
        let result = try await ReplayBinary.run(["--pcap", capture, "--export-eml", out])
        #expect(result.status == 0, "\(result.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(names.count == 15)
        for name in names {
            let mode = try FileManager.default.attributesOfItem(atPath: out + "/" + name)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name)")
        }
    }

    @Test func anExportDirectoryThatCannotBeMadeIsAUsageError() async throws {
        let capture = ReplayBinary.fixture("pcap/postfix-cmilter-any-sll2.pcap")
        let result = try await ReplayBinary.run(["--pcap", capture, "--export-eml", "/nonexistent/dir/out"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(
            result.stderr
                == "milter-replay: --export-eml /nonexistent/dir/out: the directory /nonexistent/dir does not exist\n")
    }
}
