import Foundation
import MilterTestSupport
import Testing

/// How the daemon names the errors that close a connection: a handshake timeout has its own
/// `milter_protocol_errors_total` kind, and a reset by the peer is logged in words, not in NIO's
/// text (`read(descriptor:pointer:size:): Connection reset by peer) (errno: 104)`).
///
/// Each on a daemon of its own: with one short handshake timeout for both, a reset sent later than that timeout
/// after its connect (a loaded machine starving the test's thread) found the connection closed by the timeout.
@Suite(.tags(.integration)) struct DaemonErrorKindTests {
    @Test func aHandshakeTimeoutIsNamed() async throws {
        try await RunningDaemon.with(
            "error-kinds-timeout", metrics: true, ["--drain-timeout", "0.2", "--handshake-timeout", "0.5"]
        ) { daemon in
            let silent = try await TestMTA.connect(port: daemon.port)
            #expect(try await silent.isClosed())
            await silent.close()
            let metrics = try await pollUntil("the timeout counted", timeout: .seconds(60)) {
                let body = try await HTTPGet.get("/metrics", port: daemon.metricsPort).body
                return body.contains("kind=\"handshake-timeout\"") ? body : nil
            }
            #expect(DaemonMetricsTests.value(metrics, "milter_protocol_errors_total{kind=\"handshake-timeout\"}") == 1)
            #expect(!metrics.contains("kind=\"other\""), "\(metrics)")
        }
    }

    /// The reset comes while the daemon waits for the rest of a frame, with timeouts no loaded machine outlasts.
    @Test func aResetIsNamed() async throws {
        try await RunningDaemon.with(
            "error-kinds-reset", metrics: true,
            ["--drain-timeout", "0.2", "--handshake-timeout", "600", "--frame-timeout", "600"]
        ) { daemon in
            let port = daemon.port
            try await offPool { try Self.connectAndReset(port: port) }
            let metrics = try await pollUntil("the reset counted", timeout: .seconds(60)) {
                let body = try await HTTPGet.get("/metrics", port: daemon.metricsPort).body
                return body.contains("kind=\"io\"") ? body : nil
            }
            #expect(!metrics.contains("kind=\"handshake-timeout\""), "\(metrics)")
            #expect(!metrics.contains("kind=\"other\""), "\(metrics)")
            let reset = daemon.log().split(separator: "\n").filter { $0.contains("reset by peer") }
            #expect(reset.count == 1, "\(daemon.log())")
            #expect(reset.allSatisfy { $0.contains("error=connection reset by peer") && !$0.contains("errno") })
        }
    }

    /// Connects, sends the start of an OPTNEG frame so that the daemon reads, and closes with a
    /// reset (SO_LINGER 0).
    static func connectAndReset(port: Int) throws {
        let address = try NumericSocketAddress(host: "127.0.0.1", port: port)
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket failed") }
        guard address.withPointer({ connect(fd, $0, $1) }) == 0 else {
            close(fd)
            throw HarnessError("connect failed")
        }
        let start: [UInt8] = [0, 0, 0, 13, UInt8(ascii: "O")]
        _ = write(fd, start, start.count)
        usleep(100_000)
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(fd)
    }
}
