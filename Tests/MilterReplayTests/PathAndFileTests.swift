import Foundation
import MilterReplayKit
import Testing

/// The CLI's own path manipulation and file reading (POSIX calls, no Foundation in the binary).
struct PathAndFileTests {
    @Test(arguments: [
        ("a/b.eml", "b.eml", "a"), ("b.eml", "b.eml", ""), ("/b.eml", "b.eml", "/"), ("a/b/", "b", "a"),
        ("/", "/", "/"), ("dir//x.eml", "x.eml", "dir"),
    ])
    func lastComponentAndDirectory(path: String, last: String, directory: String) {
        #expect(path.lastPathComponent == last)
        #expect(path.deletingLastPathComponent == directory)
    }

    @Test(arguments: [
        ("./a//b/../c.eml", "a/c.eml"), ("a/./b.eml", "a/b.eml"), ("../x/y.eml", "../x/y.eml"),
        ("/../a", "/a"), ("/a/b/..", "/a"), ("a/../../b", "../b"), (".", ""),
    ])
    func lexicalNormalization(path: String, normalized: String) {
        #expect(path.lexicallyNormalizedPath == normalized)
    }

    @Test func appendingAComponent() {
        #expect("".appendingPathComponent("x.eml") == "x.eml")
        #expect("dir".appendingPathComponent("x.eml") == "dir/x.eml")
        #expect("dir/".appendingPathComponent("x.eml") == "dir/x.eml")
    }

    @Test func aManifestEntryMatchesThePathInAnyLexicalForm() throws {
        let directory = try CorpusAndReportTests.write(["m.manifest": "./sub/x.eml reject\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = try Manifest(path: directory.appendingPathComponent("m.manifest").path)
        #expect(manifest.expectation(for: directory.path + "/sub/./x.eml") == .reject)
        #expect(manifest.expectation(for: directory.path + "/sub/y/../x.eml") == .reject)
        #expect(manifest.expectation(for: "elsewhere/x.eml") == .reject)  // by file name
        #expect(manifest.expectation(for: "elsewhere/y.eml") == nil)
    }

    @Test func aFileOverTheLimitIsRefusedBeforeItIsRead() throws {
        let directory = try CorpusAndReportTests.write(["small.eml": "Subject: x\r\n\r\nbody\r\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let big = directory.appendingPathComponent("big.eml")
        // Sparse: the size is over the limit, and nothing is written.
        #expect(FileManager.default.createFile(atPath: big.path, contents: nil))
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: UInt64(CorpusFiles.maximumFileSize + 1))
        try handle.close()
        let error = #expect(throws: CorpusError.self) { try CorpusFiles.read(big.path) }
        #expect(error?.description.contains("over the limit") == true)
        let small = try CorpusFiles.read(directory.appendingPathComponent("small.eml").path)
        #expect(small == Array("Subject: x\r\n\r\nbody\r\n".utf8))
    }

    /// The files of a corpus are all read before the run: together they may hold at most `--max-corpus-mib`
    /// (512 MiB by default); the first file past it is named, and the option to raise it.
    @Test func aCorpusOverItsTotalIsRefusedNamingTheOption() async throws {
        let text = "Subject: x\r\n\r\n" + String(repeating: "0123456789abcdef\r\n", count: 36_000)  // 648,000 bytes
        let directory = try CorpusAndReportTests.write(["a.eml": text, "b.eml": text, "c.eml": text])
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try CorpusFiles.list([directory.path])
        var loader = CorpusLoader(from: nil, recipients: [], manifest: nil, defaultExpectation: nil)
        #expect(loader.maximumTotalBytes == 512 << 20)
        #expect(try loader.load(files).count == 3)
        loader.maximumTotalBytes = 1 << 20
        let error = #expect(throws: CorpusError.self) { try loader.load(files) }
        #expect(
            error?.description
                == "the .eml inputs hold more than 1 MiB (\(files[1]) goes past it): every message is read into "
                + "memory before the run; raise --max-corpus-mib, or give fewer files")
        loader.maximumTotalBytes = 2 << 20
        #expect(try loader.load(files).count == 3)

        let refused = try await ReplayBinary.run(["--max-corpus-mib", "1", directory.path])
        #expect(refused.status == ExitCodes.usage)
        #expect(refused.stderr.contains("raise --max-corpus-mib"), "\(refused.stderr)")
        let zero = try await ReplayBinary.run(["--max-corpus-mib", "0", directory.path])
        #expect(zero.status == ExitCodes.usage)
        #expect(zero.stderr.contains("--max-corpus-mib must be from 1 to 1048576; got 0"), "\(zero.stderr)")
    }

    /// A usage error quotes a file name as given: its control characters are escaped on the terminal.
    @Test func aFileNameInAUsageErrorHasItsControlsEscaped() async throws {
        let directory = try CorpusAndReportTests.write(["a.eml": "Subject: x\r\n\r\nbody\r\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.path + "/\u{1B}[31mred.eml"
        let refused = try await ReplayBinary.run([missing])
        #expect(refused.status == ExitCodes.usage)
        #expect(!refused.stderr.contains("\u{1B}"), "\(refused.stderr)")
        #expect(refused.stderr.contains("\\x1B[31mred.eml"), "\(refused.stderr)")
    }

    /// Standard input is read once: a second `-` was an empty message, sent with a made-up envelope.
    @Test func standardInputIsNamedOnce() throws {
        #expect(try CorpusFiles.list(["-"]) == ["-"])
        let error = #expect(throws: CorpusError.self) { try CorpusFiles.list(["-", "-"]) }
        #expect(error?.description == "-: standard input is read once: give - only once")
    }

    @Test func aMissingFileNamesTheSystemError() {
        let error = #expect(throws: CorpusError.self) { try CorpusFiles.read("/nonexistent/x.eml") }
        #expect(error?.description == "/nonexistent/x.eml: No such file or directory")
    }

    /// A FIFO, named or found in a directory (or reached through a symbolic link), is refused: opening it
    /// blocked the run for ever.
    @Test func aFIFOIsRefusedNotOpened() throws {
        let directory = try CorpusAndReportTests.write(["a.eml": "Subject: x\r\n\r\nbody\r\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("b.eml").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let link = directory.appendingPathComponent("c.eml").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fifo)
        let files = try CorpusFiles.list([directory.path])
        #expect(files == [directory.path + "/a.eml", fifo, link])
        for path in [fifo, link] {
            let error = #expect(throws: CorpusError.self) { try CorpusFiles.read(path) }
            #expect(error?.description == "\(path): not a regular file")
        }
        #expect(try CorpusFiles.read(files[0]) == Array("Subject: x\r\n\r\nbody\r\n".utf8))
    }

    @Test func nestedDirectoriesAreWalkedAndSymbolicLinksToDirectoriesAreNot() throws {
        let directory = try CorpusAndReportTests.write([
            "b/2.eml": "x", "b/c/1.EML": "x", "a.eml": "x", "b/skip.txt": "x",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("loop").path, withDestinationPath: directory.path)
        let files = try CorpusFiles.list([directory.path + "/"])
        #expect(files == ["a.eml", "b/2.eml", "b/c/1.EML"].map { directory.path + "/" + $0 })
    }
}
