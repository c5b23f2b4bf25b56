import Foundation
import MilterTestSupport
import Testing

/// `reference-milter daemon` on the built binary: milter-replay's address spellings, a port in use,
/// unix socket permissions, inherited descriptors that are not listening sockets.
@Suite(.tags(.integration)) struct DaemonAddressTests {
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessResult {
        try await ProcessRunner.run(
            TestPaths.builtProduct("reference-milter"),
            ["daemon"] + arguments + ["--log-level", "error"],
            environment: DaemonTests.cleanEnvironment.merging(environment) { $1 }, timeout: .seconds(30))
    }

    @Test func sendmailSpellingIsServed() async throws {
        try await RunningDaemon.with(
            "daemon-address", listen: { "inet:\($0)@127.0.0.1" },
            ["--handshake-timeout", "120", "--log-level", "error"]
        ) { daemon in
            let mta = try await TestMTA.connect(port: daemon.port)
            #expect(try await mta.negotiate().version == .v6)
            await mta.close()
        }
    }

    @Test func aPortInUseNamesTheAddressAndExits2() async throws {
        let (fd, port) = try FreePort.boundSocket(host: "127.0.0.1")
        defer { close(fd) }
        #expect(listen(fd, 4) == 0)
        let result = try await Self.run(["127.0.0.1:\(port)"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot listen on 127.0.0.1:\(port): the address is already in use"))
        // The metrics listener says it in the same words, not NIO's `bind(descriptor:ptr:bytes:)` text.
        let metrics = try await Self.run(["127.0.0.1:0", "--metrics", "127.0.0.1:\(port)"])
        #expect(metrics.status == 2)
        #expect(
            metrics.stderr.contains("cannot serve metrics on 127.0.0.1:\(port): the address is already in use"),
            "\(metrics.stderr)")
    }

    /// A host name that does not resolve, to listen on or to serve metrics on: in words, as milter-replay's
    /// connects say it, not NIO's `SocketAddressError.UnknownHost: ... (error -2) for host ...`.
    @Test(arguments: [
        (["host.invalid:7408"], "cannot listen on host.invalid:7408: cannot resolve host.invalid: "),
        (
            ["127.0.0.1:0", "--metrics", "host.invalid:9144"],
            "cannot serve metrics on host.invalid:9144: cannot resolve host.invalid: "
        ),
    ])
    func aHostThatDoesNotResolveIsSaidInWords(arguments: [String], message: String) async throws {
        let result = try await Self.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("SocketAddressError"), "\(result.stderr)")
    }

    /// The milter port is taken and `--metrics` is free: the metrics server is already up when the
    /// milter socket fails, and the daemon still exits 2 at once with the address named (it hung,
    /// its metrics service waiting forever on a close that the group's cancellation never made).
    @Test func aPortInUseWithMetricsStillExits2() async throws {
        let (fd, port) = try FreePort.boundSocket(host: "127.0.0.1")
        defer { close(fd) }
        #expect(listen(fd, 4) == 0)
        let metricsPort = try FreePort.allocate()
        let result = try await Self.run(["127.0.0.1:\(port)", "--metrics", "127.0.0.1:\(metricsPort)"])
        #expect(result.status == 2)
        #expect(
            result.stderr.contains("cannot listen on 127.0.0.1:\(port): the address is already in use"),
            "\(result.stderr)")
    }

    @Test(arguments: [
        (
            ["unix:/tmp/socket-group-test.sock", "--socket-group", "no-such-group-h4"],
            "cannot set the owner or group of /tmp/socket-group-test.sock: no group no-such-group-h4"
        ),
        (["unix:/tmp/socket-mode-test.sock", "--socket-mode", "999"], "--socket-mode takes octal permission bits"),
        (["unix:/tmp/" + String(repeating: "s", count: 150)], "a unix socket path has at most"),
        (["inet:7408@"], "the host is empty"), (["--handshake-timeout", "inf"], "--handshake-timeout must be"),
        (["--frame-timeout", "0"], "--frame-timeout"),
        (["--handshake-timeout", "0"], "from 0.001 to 3600"),
        (["--handshake-timeout", "1e-300"], "from 0.001 to 3600"),
        (["--memory-budget", "9223372036854775807"], "a quarter of the physical memory"),
        (["--memory-budget", "1000"], "--memory-budget must be from 65536"),
        (["fd:99"], "descriptor 99 is not open"),
        (["--metrics-wait", "5"], "--metrics-wait applies to the --metrics listener; give --metrics ADDRESS too"),
        (["--metrics-timeout", "5"], "--metrics-timeout applies to the --metrics listener"),
        (["--metrics-max-connections", "5"], "--metrics-max-connections applies to the --metrics listener"),
    ])
    func badSocketSettingsAreUsageErrors(arguments: [String], message: String) async throws {
        let result = try await Self.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// A bad value quoted in a usage error reaches the terminal escaped, as milter-replay's usage errors do:
    /// `--socket-mode` printed it as given, so an escape sequence in it retitled the terminal.
    @Test(arguments: [
        (
            ["unix:/tmp/socket-mode-test.sock", "--socket-mode", "6\u{1B}]0;pwned\u{07}"],
            #"--socket-mode takes octal permission bits such as 660, not 6\x1B]0;pwned\x07"#
        ),
        (["127.0.0.1:0", "--metrics", "x\u{1B}[2J"], #"bad --metrics address x\x1B[2J: expected HOST:PORT"#),
    ])
    func aBadValueInAUsageErrorIsEscaped(arguments: [String], message: String) async throws {
        let result = try await Self.run(arguments)
        #expect(result.status == 2)
        #expect(!result.stderr.contains("\u{1B}") && !result.stderr.contains("\u{07}"), "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func anInheritedDescriptorThatIsNotOpenIsAUsageError() async throws {
        let result = try await Self.run([], environment: ["MILTER_LISTEN_FD": "99"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("descriptor 99 is not open"))
    }

    /// A queue id and a subject with line breaks and an escape sequence reach the log escaped: no forged line.
    @Test func controlCharactersInLoggedFieldsAreEscaped() async throws {
        let text = try await RunningDaemon.with("daemon-log", ["--handshake-timeout", "120", "--log-level", "info"]) {
            daemon in
            let mta = try await TestMTA.connect(port: daemon.port)
            _ = try await mta.negotiate()
            try await mta.send([Cmd.connect, Cmd.helo])
            let forged = "Q1\nQ2: ACCEPT (forged)\u{1B}]0;title\u{07}"
            #expect(try await mta.message(Cmd.message(subject: "[reject]", queueID: forged)).last != nil)
            await mta.close()
            return try await pollUntil("the decision line", timeout: .seconds(20), interval: .milliseconds(20)) {
                let text = daemon.log()
                return text.contains("REJECT") ? text : nil
            }
        }
        #expect(text.contains("Q1\\nQ2: ACCEPT (forged)\\u{1B}]0;title\\u{7}"), "\(text)")
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("Q2") })
        #expect(!text.contains("\u{1B}"))
    }

    @Test func theSocketGetsItsModeAndGroup() async throws {
        let scratch = try Scratch.makeDirectory("daemon-socket")
        defer { Scratch.remove(scratch) }
        let path = scratch.appendingPathComponent("m.sock").path
        let daemon = try BackgroundProcess.start(
            TestPaths.builtProduct("reference-milter"),
            [
                "daemon", "local:\(path)", "--handshake-timeout", "120", "--socket-mode", "600", "--socket-group",
                "\(getgid())", "--log-level",
                "error",
            ],
            logFile: scratch.appendingPathComponent("log"), environment: DaemonTests.cleanEnvironment)
        _ = try await pollUntil("the socket", timeout: .seconds(20), interval: .milliseconds(20)) {
            FileManager.default.fileExists(atPath: path) ? true : nil
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        #expect((attributes[.groupOwnerAccountID] as? NSNumber)?.uint32Value == getgid())
        await daemon.stop()
    }
}
