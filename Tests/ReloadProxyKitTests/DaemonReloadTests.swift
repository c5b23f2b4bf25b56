import Foundation
import MilterTestSupport
import Testing

/// `reference-milter daemon` on its own: SIGHUP re-reads --config, keeps the running rules when the
/// new file has an error (logged with line and column), and never stops the daemon.
@Suite("reference-milter daemon SIGHUP", .timeLimit(.minutes(2)))
struct DaemonReloadTests {
    @Test func sighupReloadsGoodRulesAndKeepsThemOverBadOnes() async throws {
        let scratch = try DaemonScratch()
        defer { scratch.remove() }
        let socket = scratch.socket
        let process = try Self.startDaemon(in: scratch)
        try await process.stopping(grace: .seconds(10)) {
            try await scratch.wait(for: "listening")
            #expect(await MilterSessions.run(socket).generation == "0")
            try scratch.write("always => add-header \"X-Generation\" \"1\", accept\n")
            kill(process.pid, SIGHUP)
            try await scratch.wait(for: "reloaded")
            #expect(await MilterSessions.run(socket).generation == "1")
            try scratch.write("always => explode\n")
            kill(process.pid, SIGHUP)
            try await scratch.wait(for: "reload failed")
            #expect(scratch.log().contains("line 1, column 11: unknown action 'explode'"))
            #expect(process.isRunning)
            #expect(await MilterSessions.run(socket).generation == "1")
        }
    }

    /// A file that is not UTF-8 is a reload error like any other: the running rules stay. It loaded, its
    /// Latin-1 `é` read as U+FFFD.
    @Test func sighupKeepsTheRulesOverAFileNotValidUTF8() async throws {
        let scratch = try DaemonScratch()
        defer { scratch.remove() }
        let (rules, socket) = (scratch.rules, scratch.socket)
        let process = try Self.startDaemon(in: scratch)
        try await process.stopping(grace: .seconds(10)) {
            try await scratch.wait(for: "listening")
            let latin1 = Array("always => add-header \"X-Generation\" \"caf".utf8) + [0xE9] + Array("\", accept\n".utf8)
            try TemporaryFile.write(latin1, to: rules)
            kill(process.pid, SIGHUP)
            try await scratch.wait(for: "reload failed")
            #expect(scratch.log().contains("line 1, column 41: not valid UTF-8 (byte 0xE9)"), "\(scratch.log())")
            #expect(process.isRunning)
            #expect(await MilterSessions.run(socket).generation == "0")
        }
    }

    /// `reference-milter daemon` on the scratch's socket with rules adding `X-Generation: 0`, logging to the scratch.
    static func startDaemon(in scratch: DaemonScratch) throws -> ChildProcess {
        try scratch.write("always => add-header \"X-Generation\" \"0\", accept\n")
        return try ChildProcess(
            ProxyProcess.binary("reference-milter"),
            [
                "daemon", "unix:\(scratch.socket)", "--config", scratch.rules, "--drain-timeout", "5",
                "--handshake-timeout", "120",
            ],
            input: FileHandle.nullDevice, output: FileHandle.nullDevice, errors: try scratch.logHandle())
    }
}
