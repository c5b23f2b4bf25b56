import Foundation
import MailMessage
import MilterCapture
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// `milter-replay record`, the built binary: any mix of address families on its two sides, a
/// capture file only its owner reads and never written through a link, and a listen path taken
/// from no live server.
@Suite(.tags(.integration)) struct RecordSafetyTests {
    /// Starts the recorder and waits until it says it listens.
    private static func record(
        listen: String, upstream: String, file: String, in directory: URL
    ) async throws
        -> BackgroundProcess
    {
        let process = try BackgroundProcess.start(
            TestPaths.builtProduct("milter-replay"),
            ["record", "--listen", listen, "--upstream", upstream, "--write", file],
            logFile: directory.appendingPathComponent("log"))
        _ = try await pollUntil("the recorder listening", timeout: .seconds(30), interval: .milliseconds(50)) {
            process.log().contains("recording: listening") ? true : nil
        }
        return process
    }

    /// The sessions in the capture.
    private static func sessions(in path: String) throws -> [CapturedSession] {
        var scanner = MilterCaptureScanner(reader: try CaptureReader(path: path))
        var collector = CapturedSessionCollector()
        var sessions: [CapturedSession] = []
        while let session = try scanner.nextSession(collector: &collector) { sessions.append(session) }
        return sessions
    }

    /// IPv6 towards the MTA, IPv4 or a unix socket towards the milter: the illegal instruction
    /// of the first connection is gone, and the session reads back with the IPv4 side mapped.
    @Test(arguments: ["inet", "unix"])
    func anIPv6ListenerBeforeAnotherFamily(upstreamKind: String) async throws {
        let directory = try Scratch.makeDirectory("record-family")
        defer { Scratch.remove(directory) }
        let socketPath = directory.appendingPathComponent("milter.sock").path
        let milter = try await ScriptedMilter(
            unixPath: upstreamKind == "unix" ? socketPath : nil, script: Scripts.wellBehaved())
        let upstream = upstreamKind == "unix" ? "unix:\(socketPath)" : "127.0.0.1:\(milter.port)"
        let file = directory.appendingPathComponent("recorded.pcapng").path
        let port = try FreePort.allocate(host: "::1")
        let recorder = try await Self.record(listen: "[::1]:\(port)", upstream: upstream, file: file, in: directory)
        try await RecordedMessage.send(host: "::1", port: port)
        await recorder.stop(grace: .seconds(20))
        await milter.stop()
        #expect(recorder.log().contains("wrote 1 connections"), "\(recorder.log())")
        let sessions = try Self.sessions(in: file)
        #expect(sessions.count == 1 && sessions.allSatisfy(\.isClean))
        guard case .v6(0, let low)? = sessions.first?.info.milter.address else {
            Issue.record("the milter side is not IPv4-mapped: \(String(describing: sessions.first?.info.milter))")
            return
        }
        #expect(low == 0xFFFF_7F00_0001)
    }

    @Test func theCaptureIsCreatedOwnerOnlyAndNeverThroughALink() async throws {
        let directory = try Scratch.makeDirectory("record-file")
        defer { Scratch.remove(directory) }
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        defer { Task { await milter.stop() } }
        // An existing world-readable file is truncated and made 0600.
        let file = directory.appendingPathComponent("recorded.pcapng").path
        _ = FileManager.default.createFile(
            atPath: file, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644])
        let port = try FreePort.allocate()
        let recorder = try await Self.record(
            listen: "127.0.0.1:\(port)", upstream: "127.0.0.1:\(milter.port)", file: file, in: directory)
        await recorder.stop(grace: .seconds(20))
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // A symbolic link at the path: refused, and its target untouched.
        let target = directory.appendingPathComponent("target").path
        _ = FileManager.default.createFile(atPath: target, contents: Data("keep".utf8))
        let link = directory.appendingPathComponent("link.pcapng").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let refused = try await ReplayBinary.run([
            "record", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:\(milter.port)", "--write", link,
        ])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("cannot create \(link)"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
    }

    /// The proxy's own address as its upstream is refused: every connection was relayed to the proxy again, a
    /// loop that ended only at --max-connections (1,000 connections written to the capture).
    @Test(arguments: ["127.0.0.1:7045", "unix:/tmp/record-loop.sock"])
    func listeningOnTheUpstreamIsAUsageError(address: String) async throws {
        let directory = try Scratch.makeDirectory("record-loop")
        defer { Scratch.remove(directory) }
        let file = directory.appendingPathComponent("x.pcapng").path
        let refused = try await ReplayBinary.run([
            "record", "--listen", address, "--upstream", address, "--write", file,
        ])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("--listen and --upstream are the same address"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    /// A listen host name that does not resolve is a usage error in words (`cannot resolve HOST: ...`), not NIO's
    /// `SocketAddressError.UnknownHost: ... (error -2) for host ...`; no file is left behind.
    @Test func aListenHostThatDoesNotResolveIsSaidInWords() async throws {
        let directory = try Scratch.makeDirectory("record-unresolved")
        defer { Scratch.remove(directory) }
        let file = directory.appendingPathComponent("x.pcapng").path
        let refused = try await ReplayBinary.run([
            "record", "--listen", "host.invalid:7045", "--upstream", "127.0.0.1:7044", "--write", file,
        ])
        #expect(refused.status == 2)
        #expect(
            refused.stderr.contains("cannot listen on host.invalid:7045: cannot resolve host.invalid: "),
            "\(refused.stderr)")
        #expect(!refused.stderr.contains("SocketAddressError"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    /// An upstream that refuses: each connection is closed, and the reason is one line in words, as replay's are.
    @Test func anUnreachableUpstreamIsSaidInWords() async throws {
        let directory = try Scratch.makeDirectory("record-unreachable")
        defer { Scratch.remove(directory) }
        let upstream = try FreePort.allocate()  // nothing listens on it
        let port = try FreePort.allocate()
        let recorder = try await Self.record(
            listen: "127.0.0.1:\(port)", upstream: "127.0.0.1:\(upstream)",
            file: directory.appendingPathComponent("x.pcapng").path, in: directory)
        // A bare connect: the recorder accepts it, fails to reach the milter and closes it.
        #expect(FreePort.canConnect(host: "127.0.0.1", port: port))
        let line = "milter-replay record: cannot connect to 127.0.0.1:\(upstream): connection refused\n"
        _ = try? await pollUntil("the refusal logged", timeout: .seconds(60), interval: .milliseconds(50)) {
            recorder.log().contains(line) ? true : nil
        }
        await recorder.stop(grace: .seconds(20))
        let log = recorder.log()
        #expect(log.contains(line), "\(log)")
        #expect(!log.contains("errno") && !log.contains("SingleConnectionFailure"), "\(log)")
    }

    @Test func aLiveServersSocketPathIsNotTakenAway() async throws {
        let directory = try Scratch.makeDirectory("record-socket")
        defer { Scratch.remove(directory) }
        let path = directory.appendingPathComponent("live.sock").path
        let live = try await ScriptedMilter(unixPath: path, script: Scripts.wellBehaved())
        // A recording that cannot start leaves an earlier file as it was and creates none.
        let earlier = directory.appendingPathComponent("x.pcapng").path
        _ = FileManager.default.createFile(
            atPath: earlier, contents: Data("precious".utf8), attributes: [.posixPermissions: 0o644])
        let fresh = directory.appendingPathComponent("y.pcapng").path
        for file in [earlier, fresh] {
            let refused = try await ReplayBinary.run([
                "record", "--listen", "unix:\(path)", "--upstream", "127.0.0.1:1", "--write", file,
            ])
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("cannot listen on unix:\(path)"), "\(refused.stderr)")
        }
        #expect(try String(contentsOfFile: earlier, encoding: .utf8) == "precious")
        #expect(try FileManager.default.attributesOfItem(atPath: earlier)[.posixPermissions] as? Int == 0o644)
        #expect(!FileManager.default.fileExists(atPath: fresh))
        // The live server still answers on its path.
        let connection = try await MilterClientConnection.open(to: .unix(path: path))
        #expect(await connection.negotiation.finding == nil)
        await connection.quit()
        await live.stop()
    }
}
