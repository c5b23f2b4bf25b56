import Foundation
import MilterTestSupport
import Testing

/// A capture that is a directory, or an empty standard input, is said as other inputs are: the read's
/// `I/O error at file offset 0: read failed: Is a directory` and `/dev/stdin: truncated file at file offset 0`
/// named no real fault of a capture file.
struct CaptureInputErrorTests {
    @Test(arguments: [["--dump"], ["--target", "127.0.0.1:1"]])
    func aDirectoryIsNotARegularFile(_ more: [String]) async throws {
        let directory = ReplayBinary.fixture("pcap")
        let result = try await ReplayBinary.run(["--pcap", directory] + more)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr == "milter-replay: \(directory): not a regular file\n", "\(result.stderr)")
    }

    @Test func anEmptyStandardInputIsSaidSo() async throws {
        let result = try await ProcessRunner.run(
            TestPaths.builtProduct("milter-replay"), ["--pcap", "-", "--dump"], input: Data(), timeout: .seconds(30))
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr == "milter-replay: standard input is empty\n", "\(result.stderr)")
    }

    /// The dump's output lost was `cannot write the dump: errno 28`.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func aDumpIntoAFullDiskSaysTheSystemsWords() async throws {
        let result = try await ProcessRunner.run(
            "/bin/sh",
            [
                "-c", #"exec "$0" "$@" > /dev/full"#, TestPaths.builtProduct("milter-replay"), "--pcap",
                ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap"), "--dump",
            ], timeout: .seconds(30))
        #expect(result.status == 2, "\(result.stderr)")
        #expect(
            result.stderr == "milter-replay: cannot write to standard output: No space left on device\n",
            "\(result.stderr)")
    }
}
