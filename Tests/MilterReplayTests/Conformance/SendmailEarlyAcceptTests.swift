import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// The cases that run a second transaction after the first, against a milter that accepts at end of headers
/// as OpenDKIM does (negotiating NOHELO, NOUNKNOWN, NODATA, SKIP, HDR_LEADSPC). With the Sendmail profile no
/// ABORT follows the ACCEPT (`milter_abort_filter` writes only to a milter in the message), and the next
/// MAIL must still go (`milter_envfrom`).
struct SendmailEarlyAcceptTests {
    private static let likeOpenDKIM: ScriptedMilter.Script = { command in
        switch command {
        case .optionNegotiation(let offer):
            let flags: MilterProtocolFlags = [.noHelo, .noUnknown, .noData, .skip, .headerLeadingSpace]
            let version = MilterVersion(rawValue: min(offer.version.rawValue, 6))
            return [.reply(Scripts.answer(version: version, actions: offer.actions, flags: flags))]
        case .macro, .abort, .quit, .quitNewConnection: return []
        case .endOfHeaders: return [.reply(.accept)]
        default: return [.reply(.continue)]
        }
    }

    @Test(arguments: [MTAProfile.sendmail, .postfix])
    func theCasesWithASecondMessagePass(profile: MTAProfile) async throws {
        let results = try await ConformanceHarness.run(
            ["event.helo-no", "event.unknown-no"], script: Self.likeOpenDKIM, profile: profile)
        #expect(results.count == 2)
        for result in results { #expect(result.status == .pass, "\(result.id): \(result.status)") }
    }
}
