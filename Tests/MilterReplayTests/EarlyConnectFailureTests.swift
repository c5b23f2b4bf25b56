import MilterClient
import MilterProtocol
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

/// Connect failures before any connection has opened: a local one (out of file descriptors) says nothing of the
/// milter and is a connection failure like any other; a refusal stops the run, and when a connection opens after
/// all, every message the run was asked for is accounted for.
struct EarlyConnectFailureTests {
    static let accept = ReplayBinary.fixture("replay/accept.eml")

    /// A runner over `count` messages whose reports are collected, and the collected outcomes.
    static func runner(count: Int) -> (ReplayRunner, NIOLockedValueBox<[MessageOutcome]>) {
        let reported = NIOLockedValueBox<[MessageOutcome]>([])
        let entry = CorpusEntry(
            path: "a.eml",
            message: MilterMessage(sender: EnvelopeAddress(mailbox: ""), recipients: [], headerFields: [], body: []),
            expected: nil)
        let runner = ReplayRunner(
            entries: [entry], address: .inet(host: "127.0.0.1", port: 9), configuration: MilterClientConfiguration(),
            client: SMTPClient(), connections: 4, threads: nil, messagesPerConnection: 1,
            queue: WorkQueue(corpusSize: 1, repeat: count, duration: nil, rate: nil, start: .now)
        ) { outcome in reported.withLockedValue { $0.append(outcome) } }
        return (runner, reported)
    }

    static func failure(_ code: Int32) -> MilterConnectError {
        MilterConnectError(
            address: .inet(host: "127.0.0.1", port: 9), connecting: IOError(errnoCode: code, reason: "connect"),
            timeout: .seconds(1))
    }

    @Test func outOfFileDescriptorsIsAConnectionFailureNotAnUnreachableMilter() throws {
        let (runner, reported) = Self.runner(count: 10)
        let item = try #require(runner.queue.take())
        #expect(!runner.connectFailed(item, Self.failure(EMFILE), startLag: nil, since: .now))
        #expect(
            reported.withLockedValue { $0.map(\.connectError) } == [
                "cannot connect to 127.0.0.1:9: too many open files"
            ])
        // The run goes on: the next message is handed out.
        #expect(runner.queue.take()?.sequence == 1)
        let ending = runner.ending(workEnded: .now)
        #expect(ending.unreachable == nil)
        #expect(ending.stoppedEarly == nil)
    }

    @Test func aRefusalWithNoConnectionEverOpenIsAnUnreachableMilter() throws {
        let (runner, reported) = Self.runner(count: 10)
        let item = try #require(runner.queue.take())
        #expect(runner.connectFailed(item, Self.failure(ECONNREFUSED), startLag: nil, since: .now))
        #expect(runner.queue.take() == nil)
        let ending = runner.ending(workEnded: .now)
        #expect(ending.unreachable == "cannot connect to 127.0.0.1:9: connection refused")
        #expect(reported.withLockedValue { $0.isEmpty })
    }

    /// The first connect is refused while another connection is still opening; that one opens: the run was
    /// reached, stopped early, and says how many messages it never tried. The refused message is a connection
    /// failure.
    @Test func aRefusalBeforeAConnectionOpenedStopsTheRunAndCountsWhatWasNotSent() throws {
        let (runner, reported) = Self.runner(count: 10)
        let opening = try #require(runner.queue.take())
        let refused = try #require(runner.queue.take())
        #expect(runner.connectFailed(refused, Self.failure(ECONNREFUSED), startLag: nil, since: .now))
        #expect(runner.queue.take() == nil)
        runner.reachability.reached()
        _ = opening
        let ending = runner.ending(workEnded: .now)
        #expect(ending.unreachable == nil)
        let stopped = try #require(ending.stoppedEarly)
        #expect(stopped.reason == "cannot connect to 127.0.0.1:9: connection refused")
        #expect(stopped.notSent == 8)
        #expect(reported.withLockedValue { $0.map(\.sequence) } == [1])
        #expect(CorpusReplay.stoppedEarly(stopped).hasSuffix("before any connection was open; 8 messages not sent"))
    }

    /// The whole binary out of file descriptors (`ulimit -n`), against a milter that answers OPTNEG only after
    /// 300 ms: the connections that got a socket send their message, the others are connection failures with
    /// their reason, nothing goes missing, and the exit code is 3.
    @Test(arguments: [[], ["--threads", "2"]])
    func outOfFileDescriptorsEveryMessageIsAccountedFor(driver: [String]) async throws {
        let result = try await ReplayBinary.runOutOfDescriptors(
            ["--connections", "80", "--repeat", "160", "--quiet", Self.accept] + driver)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        let messages = Self.count("messages: ", in: result.stdout)
        let failures = Self.count("connection failures: ", in: result.stdout)
        #expect(messages > 0, "\(result.stdout)")
        #expect(messages + failures == 160, "\(result.stdout)")
        #expect(result.stdout.contains("too many open files"), "\(result.stdout)")
    }

    static func count(_ label: String, in text: String) -> Int {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(label) }) else { return 0 }
        return Int(line.dropFirst(label.count).prefix { $0.isNumber }) ?? 0
    }
}
