import Foundation
import MilterCapture
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// Real captures (fixtures/pcap) turned into replay scripts.
struct ScriptReaderTests {
    static func capture(_ name: String) -> String {
        TestPaths.fixtures("pcap/\(name)").path
    }

    static func scripts(_ name: String) throws -> [Result<ReplayScript, NotReplayable>] {
        try ScriptReader.loadAll(path: capture(name), options: MilterExtractionOptions())
    }

    @Test func postfixSessionsBecomeScripts() throws {
        let scripts = try Self.scripts("postfix-cmilter-lo.pcap").map { try $0.get() }
        // verdicts, rcpt, helo-reject, large: commands after OPTNEG, MACRO packets not counted.
        #expect(scripts.map(\.steps.count) == [161, 30, 2, 18])
        #expect(scripts.map(\.endsWithQuit) == [true, true, false, true])
        for script in scripts {
            #expect(script.offer == Negotiation.postfixOffer())
            #expect(script.recordedOptions?.actions.rawValue == 0xFF)
            #expect(script.steps.allSatisfy { $0.repliesComplete })
            #expect(script.steps.map(\.number) == Array(1...script.steps.count))
        }
        let verdicts = scripts[0]
        #expect(verdicts.steps[0].command.id == .connect)
        #expect(verdicts.steps[0].macros.map(\.stage) == [UInt8(ascii: "C")])
        #expect(verdicts.steps[0].replies == [.continue])
        #expect(scripts[2].steps[1].replies == [.reject])
        // ABORT, then the next message's MACRO and MAIL, arrive in one packet: the MACRO belongs to MAIL.
        let abort = try #require(verdicts.steps.firstIndex { $0.command.id == .abort })
        #expect(verdicts.steps[abort].macros.isEmpty && verdicts.steps[abort].replies.isEmpty)
        #expect(verdicts.steps[abort + 1].command.id == .mail)
        #expect(verdicts.steps[abort + 1].macros.map(\.stage) == [UInt8(ascii: "M")])
    }

    @Test func largeBodyChunksAreKeptWhole() throws {
        let large = try Self.scripts("postfix-cmilter-lo.pcap")[3].get()
        let chunks = large.steps.compactMap { step -> Int? in
            if case .body(let bytes) = step.command { bytes.readableBytes } else { nil }
        }
        #expect(chunks == [65_535, 6155])
    }

    @Test func aCutCaptureIsNotReplayable() throws {
        let scripts = try Self.scripts("postfix-cmilter-snaplen120.pcap")
        #expect(scripts.count == 2)
        for script in scripts {
            guard case .failure(let failure) = script else {
                Issue.record("a session with cut MTA frames was taken as replayable")
                continue
            }
            #expect(failure.reason.hasPrefix("the MTA's side is incomplete"))
        }
    }

    @Test func anUnreadableCaptureIsAnError() {
        #expect(throws: PcapLoadError.self) { try Self.scripts("README.md") }
        #expect(throws: PcapLoadError.self) { try Self.scripts("no-such.pcap") }
    }
}
