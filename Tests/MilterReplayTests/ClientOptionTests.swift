import MilterProtocol
import MilterTestSupport
import Testing

/// The SMTP client the built `milter-replay` reports in CONNECT and HELO: by default the same as
/// `reference-milter test` (192.0.2.1, client.example.test), else `--client-addr`, `--client-name`, `--helo`.
struct ClientOptionTests {
    @Test(arguments: [
        ([String](), "192.0.2.1", "client.example.test", "client.example.test"),
        (
            ["--client-addr", "198.51.100.7", "--client-name", "mx.example.net", "--helo", "helo.example.net"],
            "198.51.100.7", "mx.example.net", "helo.example.net"
        ),
    ])
    func theClientIsReported(options: [String], address: String, name: String, helo: String) async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let result = try await ReplayBinary.run(
            ["--target", "127.0.0.1:\(milter.port)"] + options + [ReplayBinary.fixture("replay/accept.eml")])
        let commands = milter.commands
        await milter.stop()
        #expect(result.status == 0, "\(result.stderr)")
        let connect = commands.compactMap { if case .connect(let info) = $0 { info } else { nil } }.first
        #expect(connect?.hostname.string == name)
        #expect(connect?.address == .inet(address: MilterString(address), port: 49_152))
        let helos = commands.compactMap { if case .helo(let text) = $0 { text.string } else { nil } }
        #expect(helos == [helo])
    }

    /// A client address or envelope no MTA would send is a usage error, and the error does not repeat the value.
    @Test(arguments: [
        (["--client-addr", "not-an-ip"], "--client-addr must be an IPv4 or IPv6 address"),
        (["--rcpt", ""], "--rcpt is empty or not one envelope address"),
        (["--rcpt", "Bob <bob@example.org>"], "--rcpt is empty or not one envelope address"),
        (["--from", "secret person <secret@example.org"], "--from is not one envelope address"),
        (["--helo", "a\nb"], "--helo cannot hold a line break or a NUL"),
        (["--client-name", "mx.example\r.org"], "--client-name cannot hold a line break or a NUL"),
    ])
    func anImpossibleClientOrEnvelopeIsRefused(options: [String], error: String) async throws {
        let result = try await ReplayBinary.run(options + [ReplayBinary.fixture("replay/accept.eml")])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(error), "\(result.stderr)")
        if !options[1].isEmpty { #expect(!result.stderr.contains(options[1]), "\(result.stderr)") }
    }

    /// What an MTA does send: IPv6, a socket path, the null sender, a quoted local part.
    @Test(arguments: [
        ["--client-addr", "2001:db8::1"], ["--client-addr", "/run/smtpd.sock"], ["--from", "<>"], ["--from", ""],
        ["--from", "\"a b\"@example.org", "--rcpt", "<b@example.org>"],
    ])
    func whatAnMTASendsIsTaken(options: [String]) async throws {
        let result = try await ReplayBinary.run(options + ["--quiet", ReplayBinary.fixture("replay/accept.eml")])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    /// `--relay-host` is the next hop of the played Postfix: `{mail_host}` and `{rcpt_host}` of every address.
    @Test func theRelayHostIsTheNextHop() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let result = try await ReplayBinary.run(
            [
                "--target", "127.0.0.1:\(milter.port)", "--relay-host", "[192.0.2.10]:2525", "--from", "a@Example.COM",
                "--rcpt", "b@example.org", ReplayBinary.fixture("replay/accept.eml"),
            ])
        let packets = milter.macroPackets
        await milter.stop()
        #expect(result.status == 0, "\(result.stderr)")
        let value = { (stage: Character, name: String) in
            packets.first { $0.stage == UInt8(ascii: stage.unicodeScalars.first!) }?.macros
                .first { $0.name.string == name }?.value.string
        }
        #expect(value("M", "{mail_host}") == "[192.0.2.10]:2525")
        #expect(value("M", "{mail_addr}") == "a@example.com")
        #expect(value("R", "{rcpt_host}") == "[192.0.2.10]:2525")
        #expect(value("R", "{rcpt_mailer}") == "smtp")
    }

    /// A relay host no MTA would take is a usage error.
    @Test(arguments: [
        (["--relay-host", ""], "--relay-host must be one host"),
        (["--relay-host", "a b"], "--relay-host must be one host"),
        (["--relay-host", "a,b"], "--relay-host must be one host"),
        (["--relay-host", String(repeating: "a", count: 301)], "--relay-host must be one host"),
    ])
    func anImpossibleRelayHostIsRefused(options: [String], error: String) async throws {
        let result = try await ReplayBinary.run(options + [ReplayBinary.fixture("replay/accept.eml")])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(error), "\(result.stderr)")
    }
}
