import MilterClient
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import MilterReplayKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `--pcap` replay, connect failures before any session reached the milter: a local one (out of file descriptors)
/// says nothing of the milter and is a connection failure like any other; a refusal stops the run, and when a
/// session in flight reaches the milter after all, the refused sessions are connection failures and the run says
/// how many sessions it never replayed.
struct PcapEarlyConnectFailureTests {
    /// A runner that hands out nothing, and the outcomes it reports.
    static func runner() -> (PcapReplayRunner, NIOLockedValueBox<[SessionOutcome]>) {
        let reported = NIOLockedValueBox<[SessionOutcome]>([])
        let replayer = SessionReplayer(
            address: .inet(host: "127.0.0.1", port: 9), configuration: MilterClientConfiguration(),
            comparator: ReplayComparator(mask: ReplyMask()), memos: nil)
        let runner = PcapReplayRunner(replayer: replayer, connections: 4, next: { nil }) { outcome in
            reported.withLockedValue { $0.append(outcome) }
        }
        return (runner, reported)
    }

    static func failed(_ sequence: Int, _ code: Int32) -> SessionOutcome {
        let error = MilterConnectError(
            address: .inet(host: "127.0.0.1", port: 9), connecting: IOError(errnoCode: code, reason: "connect"),
            timeout: .seconds(1))
        return SessionOutcome(
            sequence: sequence, label: "stream \(sequence)", result: .connectFailed(error.description), latency: .zero)
    }

    @Test func outOfFileDescriptorsIsAConnectionFailureNotAnUnreachableMilter() {
        let (runner, reported) = Self.runner()
        #expect(!runner.settle(Self.failed(0, EMFILE), local: true))
        #expect(reported.withLockedValue { $0.map(\.label) } == ["stream 0"])
        let ending = runner.ending { 0 }
        #expect(ending.unreachable == nil)
        #expect(ending.stoppedEarly == nil)
    }

    @Test func aRefusalWithNoSessionEverReplayedIsAnUnreachableMilter() {
        let (runner, reported) = Self.runner()
        #expect(runner.settle(Self.failed(0, ECONNREFUSED), local: false))
        let ending = runner.ending { 5 }
        #expect(ending.unreachable == "cannot connect to 127.0.0.1:9: connection refused")
        #expect(reported.withLockedValue { $0.isEmpty })
    }

    /// The first connect is refused while another session is in flight; that one reaches the milter: the refused
    /// session is a connection failure, and the sessions never tried are counted.
    @Test func aRefusalBeforeASessionEndedStopsTheRunAndCountsWhatWasNotReplayed() throws {
        let (runner, reported) = Self.runner()
        #expect(runner.settle(Self.failed(1, ECONNREFUSED), local: false))
        let replayed = SessionOutcome(sequence: 0, label: "stream 0", result: .notReplayable("x"), latency: .zero)
        #expect(!runner.settle(replayed, local: false))
        let ending = runner.ending { 7 }
        #expect(ending.unreachable == nil)
        let stopped = try #require(ending.stoppedEarly)
        #expect(stopped.reason == "cannot connect to 127.0.0.1:9: connection refused")
        #expect(stopped.notSent == 7)
        #expect(reported.withLockedValue { $0.map(\.label) } == ["stream 0", "stream 1"])
        #expect(PcapReplay.stoppedEarly(stopped).hasSuffix("before any connection was open; 7 sessions not replayed"))
    }

    /// The whole binary out of file descriptors (`ulimit -n`), replaying a capture of 100 sessions (read as it
    /// goes, or held for `--repeat 2`) against a milter that holds its OPTNEG replies: the sessions that
    /// got a socket are compared, the others are connection failures with their reason, nothing goes missing,
    /// and the exit code is 3.
    @Test(arguments: [[], ["--repeat", "2"]])
    func outOfFileDescriptorsEverySessionIsAccountedFor(extra: [String]) async throws {
        // 20 descriptors (the binary itself uses fewer than 10) and every OPTNEG reply held until 4 s after the
        // first: sessions handed out in the first 4 s, however few a loaded machine reads, run out of them.
        let result = try await ReplayBinary.runOutOfDescriptors(
            ["--pcap", ReplayBinary.fixture("pcap/postfix-load-cmilter.pcap"), "--connections", "80", "--quiet"]
                + extra,
            descriptors: 20, holdingAll: .seconds(4))
        let total = extra.isEmpty ? 100 : 200
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        let sessions = Self.count("sessions: ", in: result.stdout)
        let failures = Self.count("connection failures ", in: result.stdout)
        #expect(sessions == total, "\(result.stdout)\(result.stderr)")
        #expect(failures > 0 && failures < total, "\(result.stdout)")
        #expect(!result.stderr.contains("cannot connect"), "\(result.stderr)")
    }

    /// The number after `label` on the first line that holds it.
    static func count(_ label: String, in text: String) -> Int {
        guard let range = text.range(of: label) else { return 0 }
        return Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }
}
