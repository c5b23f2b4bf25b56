import MilterClient
import NIOCore
import _MilterSystem

/// `--start "CMD ARGS"`: starts the milter under test, waits until it accepts connections on the target, runs
/// the body, and stops the milter (SIGTERM, then SIGKILL after the grace period), also when the body fails.
package struct StartedMilter: Sendable {
    /// The command line, run by `/bin/sh -c "exec …"`.
    package var command: String
    /// How long the milter has to accept a connection on the target.
    package var readyTimeout: Duration
    /// How long the milter has to exit after SIGTERM before SIGKILL.
    package var stopGrace: Duration

    package init(command: String, readyTimeout: Duration = .seconds(30), stopGrace: Duration = .seconds(5)) {
        self.command = command
        self.readyTimeout = readyTimeout
        self.stopGrace = stopGrace
    }

    /// Starts the milter, waits until `address` accepts connections, returns `body`'s exit status after
    /// stopping the milter. A milter that exits first, or is not ready in time, is reported on standard error
    /// with its exit status and the end of its output, and the status is 3 (unreachable); so is an `address`
    /// that accepts connections before the milter is started. `notStarted` is then given the reason, to write the
    /// reports asked for. A SIGINT or SIGTERM while the milter starts ends the run before `body`: the milter is
    /// stopped, `interrupted` writes the reports of a run with nothing run, marked interrupted, and the status is
    /// 128 + the signal.
    package func run(
        at address: MilterAddress, notStarted: (String) -> Void = { _ in },
        interrupted: @escaping @Sendable (Int32) -> Void = { _ in }, _ body: () async throws -> Int32
    ) async throws -> Int32 {
        // Whatever answers there now is not the milter about to start: the run would judge it instead, as the
        // started one failed to listen on an address in use.
        if await Self.accepts(address) {
            return Self.fail(
                "--start: \(address) accepts connections before the milter is started: another process listens "
                    + "there; stop it, or give --target the address the started milter listens on", notStarted)
        }
        let child: ChildMilter
        do { child = try ChildMilter.spawn(command) } catch {
            return Self.fail("--start: \(error)", notStarted)
        }
        // A signal from now on stops the run, which then stops the milter; a second one kills it.
        let interruption = RunInterruption.shared
        interruption.adopt(child.pid)
        defer { interruption.release(child.pid) }
        // Until the run begins, a signal's cut (a start-up that outlasts the drain bound) writes the reports of
        // the run that did not begin; the run sets its own.
        let startingInterrupted: @Sendable (Int32) -> Void = { signal in
            Self.sayInterruptedWhileStarting(signal)
            interrupted(signal)
        }
        interruption.cut = startingInterrupted
        let problem = await waitUntilReady(child, address: address)
        interruption.cut = nil
        if let problem {
            await child.stop(grace: stopGrace)
            return Self.fail(problem, notStarted)
        }
        if let signal = interruption.signal {
            // Interrupted while the milter was starting: nothing ran; the reports say so. When the cut has begun
            // writing them, the process exits once it is done.
            if !interruption.workEnded() { await interruption.parkUntilExit() }
            await child.stop(grace: stopGrace)
            startingInterrupted(signal)
            return RunInterruption.exitStatus(signal)
        }
        let status: Int32
        do {
            status = try await body()
        } catch {
            await child.stop(grace: stopGrace)
            throw error
        }
        if let exited = child.exitStatus() {
            FileDescriptorWriter.standardError(
                "milter-replay: the started milter exited during the run with status \(exited)\(Self.tail(child))\n")
        }
        await child.stop(grace: stopGrace)
        return status
    }

    /// Why the milter is not ready, or nil once `address` accepts a connection.
    func waitUntilReady(_ child: ChildMilter, address: MilterAddress) async -> String? {
        let deadline = ContinuousClock.now + readyTimeout
        while true {
            if let status = child.exitStatus() {
                // Ctrl-C in a terminal signals the whole foreground process group: the starting milter dies of the
                // signal milter-replay is about to handle. Then the run was interrupted, not failed to start.
                if status == 128 + SIGINT || status == 128 + SIGTERM, await Self.signalArrives() { return nil }
                // Status 0 this early is most often a milter that forked into the background (opendkim without
                // -f): say so, since the message alone read as a failure to start, and the forked copy runs on.
                let forked =
                    status == 0
                    ? " (status 0 before listening: a milter that puts itself in the background cannot be waited for "
                        + "or stopped; run it in the foreground, with its own option for that, such as opendkim -f)"
                    : ""
                return "--start: the milter exited with status \(status) before accepting connections on "
                    + "\(address)\(forked)\(Self.tail(child))"
            }
            if RunInterruption.shared.signal != nil { return nil }
            if await Self.accepts(address) { return nil }
            if ContinuousClock.now >= deadline {
                return "--start: the milter did not accept connections on \(address) within "
                    + "\(Self.seconds(readyTimeout)) s\(Self.tail(child))"
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Whether milter-replay's own signal handler sees a signal within 10 s (it runs on a Dispatch queue, so it may
    /// come after the milter died of the same signal; only a milter that died of SIGINT or SIGTERM waits for it).
    private static func signalArrives() async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if RunInterruption.shared.signal != nil { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return RunInterruption.shared.signal != nil
    }

    private static func sayInterruptedWhileStarting(_ signal: Int32) {
        FileDescriptorWriter.standardError(
            "milter-replay: interrupted by \(RunInterruption.name(signal)) while the milter was starting\n")
    }

    static func accepts(_ address: MilterAddress) async -> Bool {
        guard let socket = try? await RawSocket.open(address, timeout: .seconds(1)) else { return false }
        await socket.close()
        return true
    }

    private static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)" : "\(Double(milliseconds) / 1000)"
    }

    /// The end of the milter's output, its control characters (terminal escapes) written as visible escapes.
    private static func tail(_ child: ChildMilter) -> String {
        let output = TerminalText.escapingControls(child.outputTail()).split(
            separator: "\n", omittingEmptySubsequences: false
        ).suffix(20)
            .joined(separator: "\n  ")
        return output.isEmpty ? "; it wrote nothing" : "; its output ended with:\n  " + output
    }

    private static func fail(_ message: String, _ notStarted: (String) -> Void) -> Int32 {
        FileDescriptorWriter.standardError("milter-replay: \(message)\n")
        notStarted(message)
        return ExitCodes.connectFailed
    }
}
