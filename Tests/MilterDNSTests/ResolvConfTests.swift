import Foundation
import NIOCore
import Testing

@testable import MilterDNS

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// resolv.conf(5) as this client reads it: nameservers with their scope, options, comments.
@Suite struct ResolvConfTests {
    /// The loopback interface, which every host has: `lo` on Linux, `lo0` on the BSDs.
    static let loopback = if_nametoindex("lo") != 0 ? "lo" : "lo0"

    static func scope(_ address: SocketAddress) -> UInt32? {
        guard case .v6(let v6) = address else { return nil }
        return v6.address.sin6_scope_id
    }

    @Test func nameserversInFileOrderWithoutCommentsOrOtherLines() {
        let conf = ResolvConf(
            parsing: """
                # c
                ; another comment
                search example.org
                domain example.org
                nameserver 192.0.2.53 # trailing words are ignored
                nameserver\t2001:db8::53
                nameserver bogus
                #nameserver 192.0.2.99
                nameserver 192.0.2.54
                """)
        #expect(conf.nameservers.map { $0.ipAddress ?? "" } == ["192.0.2.53", "2001:db8::53", "192.0.2.54"])
        #expect(conf.nameservers.allSatisfy { $0.port == 53 })
        #expect(conf.timeout == nil && conf.attempts == nil)
    }

    /// glibc asks the first three servers it could read (MAXNS) and ignores the rest; so does this client.
    @Test func onlyTheFirstThreeUsableNameserversCount() {
        let conf = ResolvConf(
            parsing: """
                nameserver 192.0.2.1
                nameserver bogus
                nameserver 192.0.2.2
                nameserver 2001:db8::3
                nameserver 192.0.2.4
                nameserver 192.0.2.5
                """)
        #expect(conf.nameservers.map { $0.ipAddress ?? "" } == ["192.0.2.1", "192.0.2.2", "2001:db8::3"])
        #expect(conf.ignoredNameservers == 2)
        #expect(ResolvConf.maximumNameservers == 3)
    }

    @Test func rotateIsReadAndGivenToTheSystemResolver() throws {
        #expect(!ResolvConf(parsing: "nameserver 192.0.2.1\noptions timeout:1").rotate)
        #expect(ResolvConf(parsing: "options timeout:1 rotate\nnameserver 192.0.2.1").rotate)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("resolv-\(UUID()).conf").path
        try "nameserver 127.0.0.1\noptions rotate\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try DNSResolver.system(resolvConf: path).rotate)
    }

    /// A link-local server is reachable only through its interface: without the scope, connect fails.
    @Test func aLinkLocalServerKeepsItsScope() throws {
        let index = if_nametoindex(Self.loopback)
        try #require(index != 0, "no loopback interface named \(Self.loopback)")
        let conf = ResolvConf(
            parsing: """
                nameserver fe80::1%\(Self.loopback)
                nameserver fe80::2%\(index)
                nameserver fe80::3%nonexistent0
                nameserver fe80::4%
                nameserver 192.0.2.53%\(Self.loopback)
                nameserver fe80::5
                """)
        #expect(conf.nameservers.map { $0.ipAddress ?? "" } == ["fe80::1", "fe80::2", "fe80::5"])
        #expect(conf.nameservers.map(Self.scope) == [index, index, 0])
        #expect(conf.nameservers.allSatisfy { $0.port == 53 })
        // Only link-local addresses keep one: replies from others come without it.
        let loopback = ResolvConf(parsing: "nameserver ::1%\(Self.loopback)").nameservers
        #expect(loopback.map { $0.ipAddress ?? "" } == ["::1"] && loopback.map(Self.scope) == [0])
    }

    @Test func timeoutAndAttemptsOptionsAreBoundedAndTheLastOneCounts() {
        let conf = ResolvConf(
            parsing: """
                options timeout:9 attempts:4
                nameserver 192.0.2.53
                options rotate ndots:3 timeout:1 edns0
                """)
        #expect(conf.timeout == .seconds(1) && conf.attempts == 4)
        #expect(ResolvConf(parsing: "options timeout:0 attempts:0").timeout == .seconds(1))
        #expect(ResolvConf(parsing: "options timeout:0 attempts:0").attempts == 1)
        #expect(ResolvConf(parsing: "options timeout:600 attempts:99").timeout == .seconds(30))
        #expect(ResolvConf(parsing: "options timeout:600 attempts:99").attempts == 5)
        #expect(ResolvConf(parsing: "options timeout:x attempts:-1").timeout == nil)
        #expect(ResolvConf(parsing: "options timeout:x attempts:-1").attempts == nil)
    }

    @Test func theSystemResolverTakesTheOptionsUnlessGivenATimeout() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("resolv-\(UUID()).conf").path
        try "nameserver 127.0.0.1\noptions timeout:7 attempts:3\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let resolver = try DNSResolver.system(resolvConf: path)
        #expect(resolver.timeout == .seconds(7) && resolver.attempts == 3)
        #expect(try DNSResolver.system(resolvConf: path, timeout: .seconds(1)).timeout == .seconds(1))
    }
}
