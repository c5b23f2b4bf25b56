import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// `writeRaw` puts bytes on the wire past every check and reports the milter's first reaction.
@Suite(.tags(.integration)) struct RawWriteTests {
    @Test func aMilterThatClosesOnGarbageIsSeenClosing() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let connection = try await Fixtures.open(milter)
        // An unknown command byte: the scripted milter's decoder refuses it and closes.
        let outcome = await connection.writeRaw([0, 0, 0, 3, 0x5A, 0x41, 0x42], waitingUpTo: .seconds(10))
        await connection.closeWithoutQuit()
        await milter.stop()
        #expect(outcome == .closed || { if case .ioError = outcome { true } else { false } }(), "\(outcome)")
        #expect(milter.eventIDs == [.optionNegotiation, .connect, .helo])
    }

    @Test func aMilterThatAnswersIsSeenAnswering() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let connection = try await Fixtures.open(milter)
        // A well-formed UNKNOWN frame written by hand: the milter answers CONTINUE.
        let outcome = await connection.writeRaw([0, 0, 0, 5, 0x55, 0x46, 0x4F, 0x4F, 0], waitingUpTo: .seconds(10))
        await connection.closeWithoutQuit()
        await milter.stop()
        #expect(outcome == .answered(.continue))
        #expect(outcome.description == "the milter answered with CONTINUE")
    }

    @Test func aSilentMilterIsSilentUntilTheWaitEnds() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved { $0.id == .unknown ? [] : nil })
        let connection = try await Fixtures.open(milter)
        let outcome = await connection.writeRaw(
            [0, 0, 0, 5, 0x55, 0x46, 0x4F, 0x4F, 0], waitingUpTo: .milliseconds(200))
        await connection.closeWithoutQuit()
        await milter.stop()
        #expect(outcome == .silent(.milliseconds(200)))
    }
}
