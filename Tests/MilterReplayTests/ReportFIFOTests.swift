import Foundation
import MilterReplayKit
import MilterTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `--junit` and `--report` at a path where a FIFO is: refused before the run (a usage error), and, for one made
/// during the run, refused when written without blocking on it (`O_NONBLOCK`).
struct ReportFIFOTests {
    static func makeFIFO() throws -> (directory: URL, fifo: String) {
        let directory = try Scratch.makeDirectory("report-fifo")
        let fifo = directory.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        return (directory, fifo)
    }

    @Test(arguments: [
        ["--junit", "FIFO", ReportSymlinkTests.accept], ["--report", "FIFO", ReportSymlinkTests.accept],
        ["conformance", "--junit", "FIFO"],
    ])
    func aFIFOAtAReportPathIsRefusedBeforeTheRun(arguments: [String]) async throws {
        let (directory, fifo) = try Self.makeFIFO()
        defer { Scratch.remove(directory) }
        let option = arguments.first { $0.hasPrefix("--junit") || $0.hasPrefix("--report") } ?? ""
        let result = try await ReplayBinary.run(arguments.map { $0 == "FIFO" ? fifo : $0 })
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("\(option) \(fifo): is not a regular file"), "\(result.stderr)")
    }

    /// A FIFO made after the check, with no reader: the write fails at once, naming it, rather than blocking.
    @Test(arguments: [false, true])
    func aFIFOMadeDuringTheRunIsRefusedWithoutBlocking(ownerOnly: Bool) throws {
        let (directory, fifo) = try Self.makeFIFO()
        defer { Scratch.remove(directory) }
        let failure = OutputPath.write("<testsuites/>\n", to: fifo, option: "--junit", ownerOnly: ownerOnly)
        #expect(failure?.contains("--junit \(fifo): is not a regular file") == true, "\(failure ?? "written")")
    }
}
