import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// A recorded step sent with its frames encoded once (``ReplayFrames``) reaches the milter exactly
/// as one encoded at the step, and is judged the same, whatever the milter switched off.
@Suite struct ReplayFramesTests {
    static func macros(_ stage: MilterCommand.ID, _ pairs: [(String, String)]) -> [MacroDefinition] {
        [
            MacroDefinition(
                stage: stage.rawValue,
                macros: pairs.map { .init(name: MilterString($0.0), value: MilterString($0.1)) })
        ]
    }

    /// A recorded session's steps after OPTNEG, each with the MACRO packets before it.
    static let steps: [(MilterCommand, [MacroDefinition])] = [
        (
            .connect(
                ConnectInfo(hostname: "client.example.org", address: .inet(address: "192.0.2.7", port: 4321))),
            macros(.connect, [("j", "mx.example.org"), ("{daemon_name}", "smtpd")])
        ),
        (.helo(MilterString("client.example.org")), macros(.helo, [("{tls_version}", "TLSv1.3")])),
        (.mail(EnvelopeAddress(address: "<a@example.org>")), macros(.mail, [("i", "4Q1x2y3z"), ("{mail_addr}", "a")])),
        (.recipient(EnvelopeAddress(address: "<b@example.org>")), macros(.recipient, [("{rcpt_addr}", "b")])),
        (.data, []),
        (
            .header(HeaderField(name: MilterString("Subject"), value: MilterString(" hello"))),
            macros(.header, [("i", "4Q1")])
        ),
        (.endOfHeaders, []),
        (.body(ByteBuffer(string: "line one\r\nline two\r\n")), []),
        (.endOfMessage(ByteBuffer()), macros(.endOfMessage, [("{msg_id}", "<1@example.org>")])),
    ]

    /// What the milter received and the records, replaying with frames or without.
    static func replay(flags: MilterProtocolFlags, frames: Bool) -> ([MilterCommand], [StepRecord]) {
        let milter = SimulatedMilter(script: Scripts.wellBehaved(answer: Scripts.answer(flags: flags)))
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration())
        let records = steps.map { command, macros in
            connection.replay(command, macros: macros, frames: frames ? ReplayFrames(command, macros: macros) : nil)
        }
        return (milter.commands, records)
    }

    @Test(arguments: [
        MilterProtocolFlags(), [.noHeaders, .noBody], [.noReplyConnect, .noReplyHeader, .noReplyBody],
        [.noHelo, .noData],
    ])
    func framesGoAsEncodedAtTheStep(flags: MilterProtocolFlags) {
        let (encoded, encodedRecords) = Self.replay(flags: flags, frames: false)
        let (copied, copiedRecords) = Self.replay(flags: flags, frames: true)
        #expect(copied == encoded)
        #expect(copiedRecords.map(\.delivery) == encodedRecords.map(\.delivery))
        #expect(copiedRecords.map(\.replies) == encodedRecords.map(\.replies))
        #expect(copied.last?.id == .endOfMessage)
        if flags.contains(.noHelo) {
            // HELO's MACRO packet goes without HELO (pitfall 4), from the frames as when encoded.
            #expect(!copied.contains { $0.id == .helo })
            #expect(copied.contains { $0 == .macro(Self.steps[1].1[0]) })
        }
    }

    /// The frames are what goes, not a new encoding: the caller promises they are the command's.
    @Test func theFramesAreSentNotEncodedAgain() {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration())
        let recorded = MilterCommand.helo(MilterString("recorded.example.org"))
        let macros = Self.macros(.helo, [("{tls_version}", "TLSv1.3")])
        connection.connect()
        let record = connection.replay(
            .helo(MilterString("other.example.org")), macros: Self.macros(.helo, [("{tls_version}", "other")]),
            frames: ReplayFrames(recorded, macros: macros))
        #expect(record.replies == [.continue])
        #expect(milter.commands.suffix(2) == [.macro(macros[0]), recorded])
    }

    @Test func aCommandThatMayNotGoIsRefusedWithFramesToo() {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration())
        let command = MilterCommand.recipient(EnvelopeAddress(address: "<b@example.org>"))
        let record = connection.replay(command, macros: [], frames: ReplayFrames(command, macros: []))
        #expect(record.delivery == .notSent)
        #expect(milter.eventIDs == [.optionNegotiation])
    }
}
