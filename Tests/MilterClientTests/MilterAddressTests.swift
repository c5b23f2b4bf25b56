import MilterClient
import Testing

@Suite struct MilterAddressTests {
    @Test(arguments: [
        ("127.0.0.1:7044", MilterAddress.inet(host: "127.0.0.1", port: 7044)),
        ("localhost:25", .inet(host: "localhost", port: 25)),
        ("[::1]:7044", .inet(host: "::1", port: 7044)),
        ("inet:milter.example:8891", .inet(host: "milter.example", port: 8891)),
        ("inet:8891@127.0.0.1", .inet(host: "127.0.0.1", port: 8891)),
        ("inet6:8891@[::1]", .inet(host: "::1", port: 8891)),
        ("inet6:8891@::1", .inet(host: "::1", port: 8891)),
        ("inet6:[2001:db8::2]:10025", .inet(host: "2001:db8::2", port: 10025)),
        ("unix:/run/milter.sock", .unix(path: "/run/milter.sock")),
        ("local:/var/run/m.sock", .unix(path: "/var/run/m.sock")),
        ("/tmp/m.sock", .unix(path: "/tmp/m.sock")),
    ])
    func parses(text: String, expected: MilterAddress) throws {
        #expect(try MilterAddress(parsing: text) == expected)
    }

    @Test(arguments: [
        "", "localhost", "host:0", "host:65536", "host:port", "::1:7044", "[::1]7044", "[::1:7044", "unix:",
        "inet:@host", "inet::25",
    ])
    func refuses(text: String) {
        #expect(throws: MilterAddress.ParseError.self) { try MilterAddress(parsing: text) }
    }

    /// A URL's scheme is named, not taken for an IPv6 address without brackets.
    @Test func aURLIsRefusedByItsScheme() {
        let error = #expect(throws: MilterAddress.ParseError.self) {
            try MilterAddress(parsing: "tcp://127.0.0.1:7044")
        }
        #expect(error?.reason == "'tcp://' is no milter address: write HOST:PORT, inet:PORT@HOST or unix:/path")
    }

    /// `fd:N` (a daemon's inherited socket) and a host with white space are refused when the option is read: they
    /// were taken for the hosts `fd` and ` 127.0.0.1` and failed only at connect time, as `cannot resolve fd`.
    @Test(arguments: [
        ("fd:3", "fd:N is a descriptor a daemon listens on, not a milter to connect to"),
        (" 127.0.0.1:7044", "the host contains white space"),
        ("inet:7044@ localhost", "the host contains white space"),
    ])
    func aDescriptorOrASpacedHostIsRefused(text: String, reason: String) {
        let error = #expect(throws: MilterAddress.ParseError.self) { try MilterAddress(parsing: text) }
        #expect(error?.reason.hasPrefix(reason) == true, "\(String(describing: error))")
    }

    /// getaddrinfo reads a numeric host as inet_aton does: `010.0.0.1` was octal, so the client connected to
    /// 8.0.0.1. A host of numbers must be a plain dotted quad; names and IPv6 are unchanged.
    @Test(arguments: ["010.0.0.1:7044", "inet:7044@127.0.0.01", "127.1:7044", "0x7f.0.0.1:7044", "2130706433:25"])
    func anAmbiguousIPv4HostIsRefused(text: String) {
        let error = #expect(throws: MilterAddress.ParseError.self) { try MilterAddress(parsing: text) }
        #expect(error?.reason.hasPrefix("the host is no IPv4 address") == true, "\(String(describing: error))")
    }

    @Test(arguments: ["10.0.0.1:7044", "0.0.0.0:25", "inet:7044@host0.example", "inet:7044@0x.example"])
    func aPlainDottedQuadOrANameIsKept(text: String) throws {
        let address = try MilterAddress(parsing: text)
        guard case .inet(let host, _) = address else {
            Issue.record("not a TCP address: \(address)")
            return
        }
        #expect(text.contains(host))
    }

    @Test func describesInPostfixSyntax() throws {
        #expect(try MilterAddress(parsing: "inet:8891@[::1]").description == "inet:[::1]:8891")
        #expect(try MilterAddress(parsing: "unix:/s").description == "unix:/s")
    }
}
