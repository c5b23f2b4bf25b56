import Foundation
import MilterTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A target that is not a milter: a server that greets in text is named for what it looks like, and one that
/// accepts and never answers is reported with the step that timed out.
struct NotAMilterTests {
    static let accept = ReplayBinary.fixture("replay/accept.eml")

    /// Replay, `scenario` and `conformance` alike: one line on standard error, exit 3 as for a milter that cannot be
    /// reached (replay printed a row with a frameTooLarge finding, exit 1; `scenario` a "refused the offer" for
    /// every scenario).
    @Test(arguments: [
        ("220 mx.example.test ESMTP\r\n", "an SMTP server"), ("HTTP/1.1 400 Bad Request\r\n\r\n", "an HTTP server"),
    ])
    func aTextServerIsNamed(greeting: String, server kind: String) async throws {
        let server = try GreetingServer(greeting: greeting)
        defer { server.stop() }
        let target = "127.0.0.1:\(server.port)"
        let line = "milter-replay: \(target) answered like \(kind), not a milter"
        let scenario = TestPaths.root.appendingPathComponent("Examples/scenarios/reference-milter.yaml").path
        for arguments in [["--target", target, Self.accept], ["scenario", scenario, "--target", target]] {
            let result = try await ReplayBinary.run(arguments)
            #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stderr == line + "\n", "\(result.stderr)")
            #expect(!result.stdout.contains("refused the offer"), "\(result.stdout)")
            #expect(!result.stdout.contains("frameTooLarge"), "\(result.stdout)")
        }
        let conformance = try await ReplayBinary.run(["conformance", "--target", target])
        #expect(conformance.status == 3, "\(conformance.stderr)")
        #expect(conformance.stderr == line + ": no case can be judged\n", "\(conformance.stderr)")
    }

    /// `conformance` stops after the probe: every case would fail at its own OPTNEG with the same reason. The
    /// greeting comes at the very accept, or after the OPTNEG has gone; the server keeps the connection open, or
    /// closes it at once (a greeting read before the client had its reply reader was lost, and the probe failed
    /// as a connection closed at once, with exit 3 for another reason).
    @Test(arguments: [(0, false), (0, true), (200_000, false)])
    func conformanceAgainstAnSMTPServerJudgesNoCase(delayMicroseconds: UInt32, closing: Bool) async throws {
        let server = try GreetingServer(
            greeting: "220 mx.example.test ESMTP\r\n", delayMicroseconds: delayMicroseconds, closing: closing)
        defer { server.stop() }
        let result = try await ReplayBinary.run(["conformance", "--target", "127.0.0.1:\(server.port)"])
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(
            result.stderr.contains("127.0.0.1:\(server.port) answered like an SMTP server, not a milter"),
            "\(result.stderr)")
        #expect(result.stderr.contains("no case can be judged"), "\(result.stderr)")
        #expect(!result.stderr.contains("fail "), "\(result.stderr)")
        #expect(!result.stdout.contains(" cases: "), "\(result.stdout)")
    }

    /// The kernel completes the handshake on a listening socket nobody accepts from, so the connection opens and
    /// no reply ever comes.
    @Test func aSilentTargetNamesTheStepThatTimedOut() async throws {
        let (fd, port) = try FreePort.boundSocket()
        defer { close(fd) }
        #expect(listen(fd, 4) == 0)
        let result = try await ReplayBinary.run(["--target", "127.0.0.1:\(port)", "--timeout", "0.2", Self.accept])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("timeout at OPTNEG"), "\(result.stdout)")
        #expect(result.stdout.contains("no reply within 200 ms"), "\(result.stdout)")
    }
}
