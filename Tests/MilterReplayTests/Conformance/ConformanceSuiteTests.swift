import Foundation
import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// The catalogue against scripted milters that break one rule each: the case for that rule fails with the
/// reason, the others pass or are skipped with theirs.
struct ConformanceSuiteTests {
    private func run(_ only: [String], script: @escaping ScriptedMilter.Script) async throws -> [ConformanceResult] {
        try await ConformanceHarness.run(only, script: script)
    }

    private func status(_ results: [ConformanceResult], _ id: String) -> ConformanceResult.Status? {
        results.first { $0.id == id }?.status
    }

    @Test func theCatalogueHasStableUniqueIDsAndAtLeastFortyCases() {
        let ids = Catalogue.all.map(\.id)
        #expect(ids.count >= 40)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.contains(".") && !$0.contains(" ") })
        // Every case of conformance/*.yaml has its metadata, and lands in one of the listed areas.
        #expect(Catalogue.all.allSatisfy { Catalogue.areas.contains($0.area) })
        #expect(Catalogue.all.filter { $0.file == "built-in" }.count == BuiltInCases.all.count)
        #expect(Catalogue.all.allSatisfy { !$0.summary.isEmpty && !$0.source.isEmpty })
    }

    /// Every pitfall of PROTOCOL.md §G has its line, and every case it names exists.
    @Test func everyPitfallIsCovered() {
        #expect(PitfallCoverage.entries.map(\.number) == Array(1...23))
        for entry in PitfallCoverage.entries {
            #expect(!entry.cases.isEmpty || entry.note != nil, "pitfall \(entry.number)")
            for id in entry.cases { #expect(Catalogue.named(id) != nil, "pitfall \(entry.number): no case \(id)") }
        }
    }

    /// The binary carries conformance/*.yaml as conformance/embed.sh wrote them into CatalogueFiles.swift.
    @Test func theEmbeddedCatalogueIsTheConformanceDirectory() throws {
        let directory = TestPaths.root.appendingPathComponent("conformance")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
        #expect(Set(names) == Set(CatalogueFiles.files.map(\.name)), "run conformance/embed.sh")
        for (name, text) in CatalogueFiles.files {
            let file = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            #expect(file == text + "\n", "conformance/\(name) differs from the embedded copy: run conformance/embed.sh")
        }
    }

    @Test func aMilterThatAnswersAbortFailsTheAbortCases() async throws {
        let results = try await run(["abort"], script: Scripts.wellBehaved { $0 == .abort ? [.reply(.continue)] : nil })
        guard case .fail(let reason) = status(results, "abort.no-reply") else {
            Issue.record("abort.no-reply: \(String(describing: status(results, "abort.no-reply")))")
            return
        }
        #expect(reason.contains("replyToNoReplyCommand") || reason.contains("unsolicitedReply"), "\(reason)")
        // The other cases send their next command right after ABORT, as an MTA does: whether the reply
        // to ABORT is read before that command goes depends on the scheduler, so on a loaded machine
        // one of them can miss it. abort.no-reply listens after ABORT and always catches it.
        let failed = results.filter(\.failsRun).map(\.id)
        #expect(
            failed.contains("abort.no-reply") && failed.count > results.count / 2,
            "\(results.map { ($0.id, $0.status) })")
    }

    @Test func aMilterThatRepliesDespiteNRHeaderFails() async throws {
        let results = try await run(["event.header-nr", "event.header", "event.header-nr-not-offered", "event.body-nr"])
        {
            command in
            switch command {
            case .optionNegotiation(let offer):
                // It asks for NR_HDR only when offered, as libmilter does.
                [.reply(Scripts.answer(actions: [], flags: offer.protocolFlags.intersection(.noReplyHeader)))]
            case .macro, .abort, .quit: []
            case .endOfMessage: [.reply(.accept)]
            default: [.reply(.continue)]  // HEADER too, even with NR_HDR agreed
            }
        }
        guard case .fail(let reason) = status(results, "event.header-nr") else {
            Issue.record("event.header-nr: \(String(describing: status(results, "event.header-nr")))")
            return
        }
        #expect(reason.contains("replyDespiteNoReply"), "\(reason)")
        // Offered without NR_HDR, the milter answers each header as it must.
        #expect(status(results, "event.header") == .pass)
        #expect(status(results, "event.header-nr-not-offered") == .pass)
        #expect(status(results, "event.body-nr")?.reason?.contains("NR_BODY") == true)
    }

    @Test func aMilterThatAnswersGarbageBeforeClosingFailsTheFrameCases() async throws {
        let results = try await run(["frame.garbage-length", "frame.smtp-first"]) { command in
            switch command {
            case .optionNegotiation: [.reply(Scripts.answer(actions: [])), .raw(Array("500 what?\r\n".utf8))]
            default: []
            }
        }
        // frame.smtp-first writes no OPTNEG: the scripted milter closes on the bad length, as it must.
        #expect(status(results, "frame.smtp-first") == .pass)
        guard case .fail(let reason) = status(results, "frame.garbage-length") else {
            Issue.record("\(results.map { ($0.id, $0.status) })")
            return
        }
        #expect(!reason.isEmpty)
    }

    @Test func aMilterThatAsksForUnofferedFlagsFails() async throws {
        let results = try await run(["event.header"]) { command in
            switch command {
            case .optionNegotiation: [.reply(Scripts.answer(actions: [], flags: [.noReplyHeader]))]
            case .macro, .abort, .quit, .header: []
            case .endOfMessage: [.reply(.accept)]
            default: [.reply(.continue)]
            }
        }
        guard case .fail(let reason) = status(results, "event.header") else {
            Issue.record("\(results.map(\.status))")
            return
        }
        #expect(reason.contains("NR_HDR"), "\(reason)")
    }

    @Test func aMilterThatAnswersAVersionAboveTheOfferFails() async throws {
        let results = try await run(["version.v2-offer"]) { command in
            switch command {
            case .optionNegotiation: [.reply(Scripts.answer(version: .v6, actions: []))]
            case .macro, .abort, .quit: []
            case .endOfMessage: [.reply(.accept)]
            default: [.reply(.continue)]
            }
        }
        guard case .fail(let reason) = status(results, "version.v2-offer") else {
            Issue.record("\(results.map(\.status))")
            return
        }
        #expect(reason.contains("versionAboveOffer"), "\(reason)")
    }
}
