import MilterProtocol
import NIOCore
import Testing

@Suite struct CommandFixtureTests {
    @Test(arguments: CommandFixture.all)
    func decodesHandWrittenBytes(_ fixture: CommandFixture) throws {
        #expect(try decodeCommands(fixture.bytes) == [fixture.message])
    }

    @Test(arguments: CommandFixture.all)
    func encodesToHandWrittenBytes(_ fixture: CommandFixture) throws {
        #expect(try fixture.message.encodedBytes == fixture.bytes)
    }

    @Test func everyCommandHasAFixture() {
        let covered = Set(CommandFixture.all.map(\.message.id))
        #expect(covered == Set(MilterCommand.ID.allCases))
    }

    /// The command bytes, as mfdef.h defines SMFIC_*.
    @Test(
        arguments: [
            (MilterCommand.ID.abort, "A"), (.body, "B"), (.connect, "C"), (.macro, "D"), (.endOfMessage, "E"),
            (.helo, "H"), (.quitNewConnection, "K"), (.header, "L"), (.mail, "M"), (.endOfHeaders, "N"),
            (.optionNegotiation, "O"), (.quit, "Q"), (.recipient, "R"), (.data, "T"), (.unknown, "U"),
        ] as [(MilterCommand.ID, Character)])
    func commandBytesMatchMfdef(_ id: MilterCommand.ID, _ byte: Character) {
        #expect(id.rawValue == byte.asciiValue)
    }
}

@Suite struct ReplyFixtureTests {
    @Test(arguments: ReplyFixture.all)
    func decodesHandWrittenBytes(_ fixture: ReplyFixture) throws {
        #expect(try decodeReplies(fixture.bytes) == [fixture.message])
    }

    @Test(arguments: ReplyFixture.all)
    func encodesToHandWrittenBytes(_ fixture: ReplyFixture) throws {
        #expect(try fixture.message.encodedBytes == fixture.bytes)
    }

    @Test func everyReplyHasAFixture() {
        let covered = Set(ReplyFixture.all.map(\.message.id))
        #expect(covered == Set(MilterReply.ID.allCases))
    }

    /// The reply bytes, as mfdef.h defines SMFIR_*.
    @Test(
        arguments: [
            (MilterReply.ID.addRecipient, "+"), (.deleteRecipient, "-"), (.addRecipientWithArguments, "2"),
            (.shutdown, "4"), (.accept, "a"), (.replaceBody, "b"), (.continue, "c"), (.discard, "d"),
            (.changeSender, "e"), (.connectionFailure, "f"), (.addHeader, "h"), (.insertHeader, "i"),
            (.changeHeader, "m"), (.progress, "p"), (.quarantine, "q"), (.reject, "r"), (.skip, "s"),
            (.tempfail, "t"), (.replyCode, "y"), (.optionNegotiation, "O"),
        ] as [(MilterReply.ID, Character)])
    func replyBytesMatchMfdef(_ id: MilterReply.ID, _ byte: Character) {
        #expect(id.rawValue == byte.asciiValue)
    }

    /// The symbol-list stages of the OPTNEG reply use mfapi.h's SMFIM_* numbers, not libmilter's indexes.
    @Test func macroStagesUseWireNumbers() {
        #expect(MacroStage.endOfMessage.rawValue == 5)
        #expect(MacroStage.endOfHeaders.rawValue == 6)
        #expect(MacroStage.endOfMessage.command == .endOfMessage)
        #expect(MacroStage.endOfHeaders.command == .endOfHeaders)
        #expect(MacroStage.all.map(\.rawValue) == [0, 1, 2, 3, 4, 5, 6])
    }
}
