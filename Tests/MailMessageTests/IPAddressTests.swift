import MailMessage
import Testing

struct IPAddressTests {
    @Test(arguments: [
        (IPAddress.v4(0x7F00_0001), "127.0.0.1"),
        (.v6(0, 1), "::1"),
        (.v6(0, 0), "::"),
        (.v6(0x2001_0DB8_0000_0000, 0x0000_0000_0000_0001), "2001:db8::1"),
        (.v6(0x2001_0DB8_0000_0001, 0x0000_0001_0000_0001), "2001:db8:0:1:0:1:0:1"),
        (.v6(0x2001_0DB8_0000_0000, 0x0001_0000_0000_0001), "2001:db8::1:0:0:1"),
        (.v6(0x0000_0000_0000_0000, 0x0000_FFFF_C000_0201), "::ffff:c000:201"),
    ])
    func formatsRFC5952(_ address: IPAddress, _ text: String) {
        #expect(address.description == text)
        #expect(IPAddress(parsing: text) == address)
    }

    @Test func parsesIntoTheSameCasesAsPackets() {
        #expect(IPAddress(parsing: "192.0.2.1") == .v4(0xC000_0201))
        #expect(IPAddress(parsing: "[IPv6:2001:DB8::1]") == .v6(0x2001_0DB8_0000_0000, 1))
        #expect(IPAddress(parsing: "::ffff:192.0.2.1") == .v6(0, 0x0000_FFFF_C000_0201))
        #expect(IPAddress.v4(0xC000_0201).bytes == [192, 0, 2, 1])
        #expect(
            IPAddress.v6(0x2001_0DB8_0000_0000, 1).bytes == [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11)
                + [1])
    }

    /// An embedded IPv4 address may only end an IPv6 address (RFC 4291 section 2.2): `1.2.3.4::5` was read
    /// as 102:304::5. Python's ipaddress refuses these too, and reads the accepted ones alike.
    @Test(arguments: ["1.2.3.4::", "1.2.3.4::5", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "2001:db8::1.2.3.4.5", "1:::2"])
    func anEmbeddedIPv4AddressOnlyEndsAnIPv6Address(_ text: String) {
        #expect(IPAddress(parsing: text) == nil)
    }

    /// `010.1.1.1` is 10.1.1.1 read as decimal but 8.1.1.1 to inet_aton: ambiguous, so refused, as by Python's
    /// ipaddress (since 3.9.5) and inet_pton. It was read as decimal.
    @Test(arguments: ["010.1.1.1", "1.2.3.04", "00.1.1.1", "192.168.001.1", "::ffff:010.1.1.1", "[IPv6:::1.02.3.4]"])
    func aNumberWithALeadingZeroIsRefused(_ text: String) {
        #expect(IPAddress(parsing: text) == nil)
    }

    @Test func zeroAloneIsANumber() {
        #expect(IPAddress(parsing: "0.0.0.0") == .v4(0))
        #expect(IPAddress(parsing: "10.0.100.0") == .v4(0x0A00_6400))
    }

    @Test(arguments: [
        ("::1.2.3.4", "::102:304"), ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7"), ("1::", "1::"),
    ])
    func embeddedAndCompressedFormsAsPythonReadsThem(_ text: String, _ expected: String) {
        #expect(IPAddress(parsing: text)?.description == expected)
    }

    @Test func ordersIPv4FirstThenByValue() {
        let sorted: [IPAddress] = [.v6(1, 0), .v4(2), .v6(0, 5), .v4(1)].sorted()
        #expect(sorted == [.v4(1), .v4(2), .v6(0, 5), .v6(1, 0)])
    }
}
