import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which connection carries a test's message: ``MilterClientConnection`` (an actor on a NIO event
/// loop) or `BlockingMilterConnection` (a blocking socket on a thread of its own, as
/// `milter-replay` load runs use). Both drive the same state machine; the tests that take a
/// driver check that they find the same things.
enum Driver: CaseIterable, Sendable, CustomTestStringConvertible {
    case eventLoop, blocking

    var testDescription: String { self == .eventLoop ? "event loop" : "blocking" }

    /// Opens a connection to `milter`, sends CONNECT, HELO, then, after `pause`, `message`, then
    /// QUIT; the result and the connection's findings (QUIT's included).
    func run(
        _ milter: ScriptedMilter, configuration: MilterClientConfiguration, message: MilterMessage,
        pause: Duration = .zero
    ) async throws -> (TransactionResult, [Finding]) {
        switch self {
        case .eventLoop:
            let connection = try await Fixtures.open(milter, configuration: configuration)
            try await Task.sleep(for: pause)
            let result = await connection.send(message)
            await connection.quit()
            return (result, await connection.connectionFindings)
        case .blocking:
            return try await Self.onThread {
                let connection = try BlockingMilterConnection.open(
                    to: .inet(host: "127.0.0.1", port: milter.port), configuration: configuration)
                connection.connect()
                connection.helo()
                var request = timespec(tv_sec: Int(pause.components.seconds), tv_nsec: 0)
                var left = timespec()
                while nanosleep(&request, &left) != 0 { request = left }
                let result = connection.send(message)
                connection.quit { _ in }
                return (result, connection.connectionFindings)
            }
        }
    }

    /// Runs `body` on a thread of its own (a blocking connection blocks it) and returns its value.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            BlockingThread.start { continuation.resume(with: Result { try body() }) }
        }
    }
}
