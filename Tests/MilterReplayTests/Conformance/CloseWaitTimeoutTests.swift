import Foundation
import MilterClient
import MilterTestSupport
import NIOCore
import Testing

@testable import MilterReplayKit

#if canImport(Glibc)
import Glibc
#endif

/// `--timeout` bounds the waits for a milter to close after bytes it must refuse (`frame.smtp-first`'s 10 s,
/// a `raw` step's 5 s) when it is shorter; without it they keep their defaults.
///
/// The waits and the reasons given are checked without a socket: against a milter, the timeout that shortens
/// the waits also bounds each OPTNEG reply, and a test process starved for longer (2.5 s then) failed the probe
/// or the new connection after the bytes instead. One run against a milter checks that the waits reach the cases.
struct CloseWaitTimeoutTests {
    @Test func aShorterTimeoutShortensTheCloseWaitsAndALongerOneDoesNot() {
        let short = MilterTimeouts(all: .milliseconds(2500))
        #expect(ConformanceSuite.wait(RawCaseRunner.closeTimeout, under: short) == .milliseconds(2500))
        #expect(ConformanceSuite.wait(ScenarioRunOptions().rawWait, under: short) == .milliseconds(2500))
        let long = MilterTimeouts(all: .seconds(60))
        #expect(ConformanceSuite.wait(RawCaseRunner.closeTimeout, under: long) == .seconds(10))
        #expect(ConformanceSuite.wait(ScenarioRunOptions().rawWait, under: long) == .seconds(5))
        #expect(ConformanceSuite.wait(RawCaseRunner.closeTimeout, under: nil) == .seconds(10))
        #expect(ConformanceSuite.wait(ScenarioRunOptions().rawWait, under: nil) == .seconds(5))
    }

    @Test func theReasonsNameTheWait() {
        let smtpFirst = RawCaseRunner.judge([], closed: false, waited: .milliseconds(2500)) ?? ""
        #expect(smtpFirst.hasSuffix("neither closed the connection nor answered within 2500 ms"), "\(smtpFirst)")
        #expect(RawCaseRunner.judge([], closed: true, waited: .milliseconds(2500)) == nil)
        let garbage = RawWriteOutcome.silent(.milliseconds(2500)).description
        #expect(garbage.contains("neither answered nor closed within 2500 ms"), "\(garbage)")
    }

    /// Against a milter that never closes: 4.5 s, shorter than both defaults and as long as the test can wait for
    /// OPTNEG's reply without taking much longer than they would.
    @Test(.timingSensitive) func aShortTimeoutShortensTheCloseWaitsOfTheCases() async throws {
        let milter = try SilentAfterNegotiation()
        defer { milter.stop() }
        var configuration = MilterClientConfiguration()
        configuration.timeouts = MilterTimeouts(all: .milliseconds(4500))
        let suite = ConformanceSuite(address: .inet(host: "127.0.0.1", port: milter.port), configuration: configuration)
        let probe = try await suite.probe()
        #expect(probe.problem == nil)
        let context = CaseContext(profile: .postfix, asked: probe.asked)
        var reasons: [String: String] = [:]
        for testCase in try ConformanceRun.select(["frame.smtp-first", "frame.garbage-length"]) {
            reasons[testCase.id] = await suite.run(testCase, context: context).status.reason ?? "pass"
        }
        let smtpFirst = reasons["frame.smtp-first"] ?? ""
        #expect(smtpFirst.hasSuffix("neither closed the connection nor answered within 4500 ms"), "\(smtpFirst)")
        let garbage = reasons["frame.garbage-length"] ?? ""
        #expect(garbage.contains("neither answered nor closed within 4500 ms"), "\(garbage)")
    }
}

/// A TCP listener on 127.0.0.1 that answers every OPTNEG (version 6, no actions, no flags) and otherwise reads
/// and stays silent, never closing: a milter that neither refuses nor answers bad bytes.
private final class SilentAfterNegotiation: Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        (fd, port) = try FreePort.boundSocket()
        guard listen(fd, 8) == 0 else { throw HarnessError("listen failed: errno \(errno)") }
        let listener = fd
        Thread.detachNewThread {
            while true {
                let client = Glibc.accept(listener, nil, nil)
                guard client >= 0 else { return }
                Thread.detachNewThread { Self.serve(client) }
            }
        }
    }

    private static func serve(_ client: Int32) {
        let answer: [UInt8] = [0, 0, 0, 13, UInt8(ascii: "O"), 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0]
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(client, &chunk, chunk.count)
            guard count > 0 else { break }
            pending += chunk[0..<count]
            // Whole frames only; a length over 64 KiB (text) is never complete, and nothing is answered.
            while pending.count >= 5 {
                let length = pending[0..<4].reduce(0) { $0 << 8 | Int($1) }
                guard length <= 65536, pending.count >= 4 + length else { break }
                if pending[4] == UInt8(ascii: "O") { _ = write(client, answer, answer.count) }
                pending.removeFirst(4 + length)
            }
        }
        close(client)
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
