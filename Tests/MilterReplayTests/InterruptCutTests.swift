import Foundation
import MilterTestSupport
import Testing

/// A run whose work in flight does not end after SIGINT: the milter negotiates, then never answers. The first
/// signal lets the message in flight end for ``RunInterruption``'s drain bound, then cuts it; a second signal
/// exits at once. Without ``RunInterruption`` installed, the first signal killed the process: no summary, no
/// line on standard error, and a milter `--start` started left running.
@Suite(.tags(.integration)) struct InterruptCutTests {
    /// A message the milter never answers, under a `--timeout` far past the drain bound: cut, and said so.
    @Test func sigintCutsAMessageTheMilterNeverAnswers() async throws {
        let directory = try Scratch.makeDirectory("interrupt-cut")
        defer { Scratch.remove(directory) }
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved(override: { command in
                if case .optionNegotiation = command { return nil }
                return []
            }))
        let (child, output) = try InterruptTests.start(
            [
                "--target", "127.0.0.1:\(milter.port)", "--timeout", "600", "--json",
                ReplayBinary.fixture("replay/accept.eml"),
            ], in: directory)
        defer { child.killAndReap() }
        try await waitUntil { milter.eventIDs.contains { $0 != .optionNegotiation } }
        let (exited, stdout, stderr) = await InterruptTests.interrupt(
            child, with: SIGINT, output: output, stopping: milter)
        #expect(exited, "still running 60 s after SIGINT")
        #expect(child.termination == .exited(130), "\(stdout)\n\(stderr)")
        #expect(stderr.contains("interrupted by SIGINT"), "\(stderr)")
        #expect(stderr.contains("1 messages cut in flight"), "\(stderr)")
        #expect(stdout.contains(#""signal":"SIGINT""#), "\(stdout)")
    }

    /// A second signal while the message in flight waits for its drain bound: the process exits at once (not by
    /// the cut), and the milter `--start` started is gone.
    @Test func aSecondSignalExitsAtOnceAndLeavesNoStartedMilter() async throws {
        guard let python = ExternalTool.require("python3") else { return }
        let directory = try Scratch.makeDirectory("interrupt-second")
        defer { Scratch.remove(directory) }
        let port = try FreePort.allocate()
        let script = directory.appendingPathComponent("silent.py")
        try Self.silentMilter.write(to: script, atomically: true, encoding: .utf8)
        let pidFile = directory.appendingPathComponent("milter.pid").path
        // The shell writes its pid, then becomes the milter: that pid is the milter's.
        let answered = directory.appendingPathComponent("answered").path
        let command = "sh -c 'echo $$ > \(pidFile); exec \(python) \(script.path) \(port) \(answered)'"
        let (child, output) = try InterruptTests.start(
            [
                "--target", "127.0.0.1:\(port)", "--start", command, "--timeout", "600", "--quiet",
                ReplayBinary.fixture("replay/accept.eml"),
            ], in: directory)
        defer { child.killAndReap() }
        try await FreePort.waitUntilListening(port: port, timeout: .seconds(60))
        // A message is in flight once the milter answered OPTNEG (a signal before then stops the run while the
        // milter was starting).
        try await waitUntil { FileManager.default.fileExists(atPath: answered) }
        let pidText = try String(contentsOfFile: pidFile, encoding: .utf8)
        let milterPID = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        // Two signals sent at once may reach the process as one: signal every 200 ms until it exits, the second one
        // it sees ending it. The signals come from a thread of their own: from the cooperative pool, a loaded run
        // starved the loop past the drain bound, and the cut ended the process before a second signal came (CI,
        // fresh81).
        let exited = try await offPool { [child] in
            let deadline = ContinuousClock.now.advanced(by: .seconds(60))
            while child.isRunning, ContinuousClock.now < deadline {
                child.signal(SIGINT)
                usleep(200_000)
            }
            return !child.isRunning
        }
        let gone = try? await pollUntil("the started milter to be gone", timeout: .seconds(30)) {
            Self.isGone(milterPID) ? true : nil
        }
        if gone == nil { kill(milterPID, SIGKILL) }
        let (stdout, stderr) = output()
        #expect(exited == true)
        #expect(child.termination == .exited(130), "\(stdout)\n\(stderr)")
        #expect(stderr.contains("second signal (SIGINT): exiting at once"), "\(stderr)")
        // The exit came from the second signal, not from the cut at the end of the drain bound.
        #expect(!stderr.contains("cut in flight") && !stderr.contains("did not end within"), "\(stderr)")
        #expect(gone == true, "the started milter (pid \(milterPID)) is still running")
    }

    /// Whether `pid` has exited: no such process, or a zombie (killed, its parent gone, not yet reaped by init).
    private static func isGone(_ pid: Int32) -> Bool {
        if kill(pid, 0) != 0 { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// A milter that answers OPTNEG on each connection (version 6, no actions, every event), then never answers
    /// again, and creates the file named second on its command line once it has; a connection closed before its
    /// OPTNEG (the readiness probe of `--start`) is dropped.
    static let silentMilter = """
        import socket, struct, sys
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", int(sys.argv[1])))
        server.listen(16)
        kept = []
        def read(connection, count):
            data = b""
            while len(data) < count:
                chunk = connection.recv(count - len(data))
                if not chunk:
                    return None
                data += chunk
            return data
        while True:
            connection, _ = server.accept()
            head = read(connection, 4)
            if head is None or read(connection, struct.unpack(">I", head)[0]) is None:
                connection.close()
                continue
            connection.sendall(struct.pack(">IcIII", 13, b"O", 6, 0, 0))
            kept.append(connection)
            open(sys.argv[2], "w").close()

        """
}
