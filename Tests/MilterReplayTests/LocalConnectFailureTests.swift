import MilterTestSupport
import NIOCore
import Testing

@testable import MilterClient
@testable import MilterReplayKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a connect failure is local (``MilterConnectError/isLocal``) is judged by the failed system call's
/// `errno`, which the error carries from either driver; its words stay as they were.
struct LocalConnectFailureTests {
    static let address = MilterAddress.inet(host: "127.0.0.1", port: 9)

    /// The error for `error` thrown by NIO while connecting.
    static func failure(_ error: any Error) -> MilterConnectError {
        MilterConnectError(address: address, connecting: error, timeout: .seconds(1))
    }

    @Test(arguments: [EMFILE, ENFILE, ENOBUFS, ENOMEM, EADDRNOTAVAIL])
    func aFailureForWantOfSomethingOnThisMachineIsLocal(code: Int32) {
        let error = Self.failure(IOError(errnoCode: code, reason: "connect"))
        #expect(error.errnoCode == code)
        #expect(error.isLocal)
    }

    @Test(arguments: [ECONNREFUSED, ECONNRESET, ETIMEDOUT, EHOSTUNREACH, ENOENT])
    func aFailureOfTheMilterOrTheWayToItIsNotLocal(code: Int32) {
        let error = Self.failure(IOError(errnoCode: code, reason: "connect"))
        #expect(error.errnoCode == code)
        #expect(!error.isLocal)
    }

    @Test func aTimeoutHasNoErrnoAndIsNotLocal() {
        let error = Self.failure(ChannelError.connectTimeout(.seconds(1)))
        #expect(error.errnoCode == nil)
        #expect(!error.isLocal)
        #expect(error.description == "cannot connect to 127.0.0.1:9: no answer within 1 s (connect timed out)")
    }

    /// The words alone do not make a failure local: only the `errno` does.
    @Test func theWordsOfALocalFailureWithoutItsErrnoAreNotLocal() {
        let error = MilterConnectError(address: Self.address, reason: "too many open files")
        #expect(!error.isLocal)
        #expect(error.description == "cannot connect to 127.0.0.1:9: too many open files")
    }

    /// A real connect to a closed port, with a blocking socket and over NIO: refused, with its `errno`, in the
    /// same words as before, and not local.
    @Test func aClosedPortIsRefusedWithItsErrnoAndIsNotLocal() async throws {
        let port = try FreePort.allocate()
        let address = MilterAddress.inet(host: "127.0.0.1", port: port)
        var failures: [MilterConnectError] = []
        do {
            _ = try BlockingMilterConnection.open(to: address)
            Issue.record("a blocking connect to the closed port \(port) succeeded")
        } catch {
            failures.append(error)
        }
        do {
            _ = try await MilterClientConnection.open(to: address)
            Issue.record("a connect over NIO to the closed port \(port) succeeded")
        } catch {
            failures.append(error)
        }
        #expect(failures.count == 2)
        for error in failures {
            #expect(error.errnoCode == ECONNREFUSED)
            #expect(!error.isLocal)
            #expect(error.description == "cannot connect to 127.0.0.1:\(port): connection refused")
        }
    }
}
