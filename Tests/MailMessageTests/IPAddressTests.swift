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

    @Test func ordersIPv4FirstThenByValue() {
        let sorted: [IPAddress] = [.v6(1, 0), .v4(2), .v6(0, 5), .v4(1)].sorted()
        #expect(sorted == [.v4(1), .v4(2), .v6(0, 5), .v6(1, 0)])
    }
}
