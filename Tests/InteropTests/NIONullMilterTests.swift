import Foundation
import MilterTestSupport
import Testing

/// The SwiftNIO yardstick of `interop/`: `interop/nionullmilter`, the null milter on SwiftNIO that
/// `scripts/perf-reference-milter.sh` measures with `NIO_NULL=1`, answers the C load client and
/// milter-replay as the C null milter does: every message completes and is accepted, with and
/// without NR on every stage, and a frame split across reads is put together. Speed is measured by
/// the script, never asserted here.
@Suite("The null milter on SwiftNIO")
struct NIONullMilterTests {
    /// Builds and starts `interop/nionullmilter` (`--nr` with `noReply`), runs `body`, stops it.
    static func withNIONullMilter(noReply: Bool, _ body: (ScratchPeer) async throws -> Void) async throws {
        guard let binary = try await binary() else { return }
        let milter = try await ScratchPeer.start("nionullmilter") { port, directory in
            try BackgroundProcess.start(
                binary.path, (noReply ? ["--nr"] : []) + [String(port)],
                logFile: directory.appendingPathComponent("nionullmilter.log"))
        }
        try await withPeer(milter, body)
    }

    /// The built `interop/nionullmilter`, or nil after recording why there is none.
    static func binary() async throws -> URL? {
        guard let driver = SwiftPackageProgram.swiftDriver else {
            Issue.record("no swift driver on PATH or in /opt/swift/usr/bin")
            return nil
        }
        return try await SwiftPackageProgram.shared.binary(
            package: "interop/nionullmilter", product: "nionullmilter", driver: driver)
    }

    /// A bad option value, a missing or extra argument: a usage error naming it, exit 2.
    @Test(arguments: [
        ([], "no PORT"),
        (["--event-loops", "0", "7001"], "--event-loops must be a whole number from 1 to 256, not 0"),
        (["--event-loops"], "--event-loops needs a value"),
        (["--read-size", "inf", "7001"], "--read-size must be a whole number from 64 to 16777216, not inf"),
        (["--read-size", "1e20", "7001"], "--read-size must be a whole number from 64 to 16777216, not 1e20"),
        (["--foo", "7001"], "unexpected argument --foo"),
        (["-5"], "unexpected argument -5"),
        (["7001", "7002"], "unexpected argument 7002"),
        (["99999"], "PORT must be a whole number from 1 to 65535, not 99999"),
    ])
    func aBadArgumentIsAUsageError(arguments: [String], reason: String) async throws {
        guard let binary = try await Self.binary() else { return }
        let result = try await ProcessRunner.run(binary.path, arguments, timeout: .seconds(30))
        #expect(result.status == 2)
        #expect(result.stderr.contains("nionullmilter: \(reason)\n"), "\(result.stderr)")
        #expect(result.stderr.contains("usage: nionullmilter"))
    }

    /// A port another socket holds: a clear error and exit 1, not a trap.
    @Test func aPortInUseIsAClearError() async throws {
        guard let binary = try await Self.binary() else { return }
        let (descriptor, port) = try FreePort.boundSocket(host: "127.0.0.1")
        defer { close(descriptor) }
        #expect(listen(descriptor, 1) == 0)
        let result = try await ProcessRunner.run(binary.path, [String(port)], timeout: .seconds(30))
        #expect(result.status == 1)
        #expect(result.stderr.contains("nionullmilter: cannot listen on 127.0.0.1:\(port): "), "\(result.stderr)")
    }

    @Test(arguments: [false, true])
    func everyMessageCompletes(noReply: Bool) async throws {
        guard Interop.require(.libmilter) else { return }
        try await Self.withNIONullMilter(noReply: noReply) { milter in
            try await expectEveryMessageCompletes(port: milter.port)
        }
    }

    /// OPTNEG sent one byte at a time, 2 ms apart with TCP_NODELAY so that each byte is a read of
    /// its own: the handler keeps the partial frame across reads and answers once it is whole,
    /// with the no-reply flags of every stage the offer has.
    @Test func aFrameSplitAcrossReadsIsAnswered() async throws {
        guard let python = ExternalTool.require("python3") else { return }
        try await Self.withNIONullMilter(noReply: true) { milter in
            let script = """
                import socket, struct, sys, time
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                s.settimeout(10)
                for byte in struct.pack(">IBIII", 13, ord("O"), 6, 0x1FF, 0x1FFFFF):
                    s.sendall(bytes([byte]))
                    time.sleep(0.002)
                reply = b""
                while len(reply) < 17:
                    chunk = s.recv(17 - len(reply))
                    if not chunk:
                        break
                    reply += chunk
                print(reply.hex())
                """
            let result = try await ProcessRunner.run(
                python, ["-c", script, String(milter.port)], timeout: .seconds(30))
            #expect(result.status == 0, "\(result.stderr)")
            // Length 13, 'O', version 6, no actions, NR for CONNECT, HELO, MAIL, RCPT, DATA, UNKNOWN,
            // EOH, BODY and headers (0x000ff080).
            #expect(
                result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0000000d4f0000000600000000000ff080")
        }
    }
}
