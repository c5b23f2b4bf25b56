import MilterClient
import MilterProtocol
import MilterReplayKit
import Testing

/// What a well-formed scenario file becomes: the model H2's catalogue and the runner read.
struct ScenarioParserTests {
    static let text = """
        id: macro.stage-L
        description: Postfix sends the end-of-header macros before every HEADER
        source: Postfix milter8.c
        severity: should
        skip-unless: {actions: [SMFIF_ADDHDRS, chgfrom], protocol: 0x400, protocol-absent: [NOHDRS], version: 6}
        mta: sendmail
        negotiate:
          version: 4
          actions: none
          protocol: [NR_HDR, NOUNKNOWN]
          expect: {version: 4, protocol-exclude: [SKIP], symbol-lists: {eoh: [i, "{mail_addr}"]}, refused: false}
        macros:
          eoh: {i: 4ABC}
        steps:
          - connect: {family: unknown}
          - unknown: "XYZZY now"
          - raw: {command: "X", payload-hex: "41 42", length: 1000}
            expect: {closes: false, finding: any}
        ---
        steps: [quit-nc, quit]
        """

    @Test func aFullScenarioBecomesItsModel() throws {
        let scenarios = try ScenarioParser.parse(Self.text, file: "dir/case.yaml")
        #expect(scenarios.count == 2)
        let first = scenarios[0]
        #expect(first.name == "macro.stage-L")
        #expect(first.metadata.area == "macro")
        #expect(first.metadata.severity == .should)
        #expect(first.metadata.source == "Postfix milter8.c")
        #expect(
            first.metadata.skipUnless
                == SkipConditions(
                    actions: [.addHeaders, .changeSender], protocolFlags: .skip, absentProtocolFlags: .noHeaders,
                    minimumVersion: .v6))
        #expect(first.profile == .sendmail)
        let session = first.sessions[0]
        let offer = session.negotiation.offer(profile: .sendmail)
        #expect(offer == OptionNegotiation(version: .v4, actions: [], protocolFlags: [.noReplyHeader, .noUnknown]))
        #expect(session.negotiation.expectation?.symbolLists == [.endOfHeaders: ["i", "{mail_addr}"]])
        #expect(session.negotiation.expectation?.protocolExclude == .skip)
        #expect(session.negotiation.expectation?.refused == false)
        #expect(session.macros[.eoh]?.map { "\($0.name)=\($0.value)" } == ["i=4ABC"])
        #expect(session.steps.map(\.action.keyword) == ["connect", "unknown", "raw"])
        guard case .connect(let connect) = session.steps[0].action, case .raw(let raw) = session.steps[2].action else {
            Issue.record("wrong steps")
            return
        }
        #expect(connect.family == .unknown)
        #expect(raw.bytes == [0, 0, 0x03, 0xE8, 0x58, 0x41, 0x42])
        #expect(session.steps[2].expectation?.closes == false)
        #expect(session.steps[2].expectation?.finding == .any)
        #expect(session.steps[2].location == ScenarioLocation(file: "dir/case.yaml", line: 17, column: 5))
        #expect(scenarios[1].name == "dir/case.yaml#2")
        #expect(scenarios[1].location.file == "dir/case.yaml")
    }
}
