import MailMessage
import MilterProtocol
import NIOCore
import Testing

@testable import MilterClient

/// Values that keep their parts in one shared object (so that a copy costs one reference) still
/// behave as values: a change to a copy is not seen by the original, and every setting survives the
/// copy made when a shared one is changed.
@Suite struct SharedStorageValueTests {
    /// A configuration with every setting away from its default.
    static func unusual() -> MilterClientConfiguration {
        var configuration = MilterClientConfiguration(
            profile: .sendmail, version: .v2, macroOverrides: [.connect: [("j", "mx.test")]],
            timeouts: MTAProfile.sendmail.timeouts, identity: MTAIdentity(hostname: "host.test"),
            maximumReplyLength: 1_000, quitDrainTimeout: .seconds(3), receivedDate: { "date" })
        configuration.offer = OptionNegotiation(version: .v2, actions: [], protocolFlags: [])
        configuration.buildsResultingMessage = false
        configuration.limits.maximumModifications = 7
        configuration.exchangeMemos = ExchangeMemoStore()
        configuration.frameTap = MilterFrameTap { _ in }
        return configuration
    }

    static func describe(_ configuration: MilterClientConfiguration) -> [String] {
        [
            configuration.profile.name, "\(configuration.version)", "\(configuration.offer.map { "\($0)" } ?? "-")",
            "\(configuration.macroOverrides.mapValues { $0.map { "\($0.name)=\($0.value)" } })",
            "\(configuration.timeouts.map { "\($0)" } ?? "-")", configuration.identity.hostname,
            "\(configuration.maximumReplyLength)", "\(configuration.quitDrainTimeout)", configuration.receivedDate(),
            "\(configuration.buildsResultingMessage)", "\(configuration.limits.maximumModifications)",
            "\(configuration.exchangeMemos != nil)", "\(configuration.frameTap != nil)",
        ]
    }

    @Test func aChangedCopyKeepsEveryOtherSettingAndLeavesTheOriginal() {
        let original = Self.unusual()
        let before = Self.describe(original)
        var copy = original
        copy.maximumReplyLength = 2_000
        var expected = before
        expected[6] = "2000"
        #expect(Self.describe(copy) == expected)
        #expect(Self.describe(original) == before)
        var other = original
        other.frameTap = nil
        other.limits.maximumModifications = 8
        #expect(Self.describe(original) == before)
        #expect(Self.describe(other)[10] == "8" && Self.describe(other)[12] == "false")
    }

    @Test func wireFormsOfEqualMessagesAreEqual() {
        let fields = [RawHeaderField(name: "Subject", value: " hi")]
        let sender = EnvelopeAddress(mailbox: "a@example.com")
        let one = MilterMessage(sender: sender, recipients: [], headerFields: fields, body: Array("x\n".utf8))
        let two = MilterMessage(sender: sender, recipients: [], headerFields: fields, body: Array("x\n".utf8))
        #expect(one == two && one.hashValue == two.hashValue)
        var three = two
        three.body = Array("y\n".utf8)
        #expect(three != two && two == one)
        #expect(three.wire.body == Array("y\r\n".utf8) && two.wire.body == Array("x\r\n".utf8))
    }
}
