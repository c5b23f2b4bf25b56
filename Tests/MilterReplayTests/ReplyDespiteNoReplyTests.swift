import MilterProtocol
import MilterTestSupport
import Testing

/// A milter that negotiates NR_HDR and answers the headers anyway: the .eml replay lays the finding to HEADER, as
/// conformance's `event.header-nr` does, not to the step before which the replies were found.
struct ReplyDespiteNoReplyTests {
    @Test(arguments: ["postfix", "sendmail"])
    func repliesToHeadersNegotiatedWithoutReplyAreFoundAtHeader(mta: String) async throws {
        // The answers to every header leave together after the last one: the MTA, waiting for EOH's reply, reads
        // them at once, takes the first for EOH's and finds the rest before BODY.
        let answers = [MilterReply](repeating: .continue, count: 7)
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved(answer: Scripts.answer(flags: [.noReplyHeader])) { command in
                guard case .header(let field) = command else { return nil }
                return field.name.string == "X-Test-Action" ? [.together(answers)] : []
            })
        let accept = ReplayBinary.fixture("replay/accept.eml")
        let result = try await ReplayBinary.run(["--mta", mta, "--target", "127.0.0.1:\(milter.port)", accept])
        await milter.stop()
        let row = try #require(result.stdout.split(separator: "\n").first)
        #expect(row.contains("FINDING replyDespiteNoReply at HEADER"), "\(row)")
        #expect(row.contains("CONTINUE after HEADER, negotiated without reply"), "\(row)")
        #expect(!row.contains("unsolicitedReply"), "\(row)")
    }
}
