import MilterProtocol

extension Catalogue {
    static let versionCases: [ConformanceCase] = [
        offerCase("version.v6-offer", .must, version: .v6, "The MTA offers version 6: a whole message goes through."),
        offerCase(
            "version.v4-offer", .must, version: .v4, "The MTA offers version 4 (0x37F): at most 4 back, no QUIT_NC."),
        offerCase(
            "version.v3-offer", .must, version: .v3, "The MTA offers version 3 (0x17F): at most 3 back, no DATA."),
        offerCase(
            "version.v2-offer", .must, version: .v2,
            "The MTA offers version 2 (0x7F): at most 2 back, neither DATA nor UNKNOWN expected."),
        ConformanceCase(
            "version.v7-offer", .should, "An MTA newer than the milter offers version 7: the answer is 2 to 6.",
            source: "libmilter engine.c st_optionneg (answers the lower of its own and the MTA's version)"
        ) { context in
            let builder = CaseBuilder(context)
            var offer = builder.offer()
            offer.version = MilterVersion(rawValue: 7)
            return builder.session(
                offer: offer, builder.message(),
                check: { trace in
                    guard let version = trace.agreed?.version else { return nil }
                    return version <= .v6 ? nil : "the milter answered version \(version), which it cannot know"
                })
        },
        ConformanceCase(
            "version.v1-refused", .should, "An offer of version 1 is refused: the milter closes without answering.",
            source: "libmilter engine.c st_optionneg (refuses versions below 2)"
        ) { context in
            var offer = CaseBuilder(context).offer()
            offer.version = MilterVersion(rawValue: 1)
            return .raw(RawScript(prefix: .none, bytes: RawCaseRunner.encode(.optionNegotiation(offer))))
        },
        ConformanceCase(
            "version.mds-bits-offered", .should,
            "An offer with the MDS_256K and MDS_1M bits (Sendmail 8.14+) is answered and the message goes through.",
            source: Source.pitfall(20) + "; libmilter mfdef.h SMFIP_MDS_*"
        ) { context in
            let builder = CaseBuilder(context)
            let offer = builder.offer(flags: MilterProtocolFlags.all.union(.maximumDataSizeBits))
            return builder.session(offer: offer, builder.message())
        },
        ConformanceCase(
            "version.answer-within-offer", .must,
            "The answer asks for no action and no protocol bit outside the MTA's offer.",
            source: Source.milter8 + " (refuses actions outside its offer); libmilter engine.c st_optionneg"
        ) { context in
            let builder = CaseBuilder(context)
            let offer = builder.offer(.v6, flags: MilterProtocolFlags.all.subtracting(.noReplies))
            return builder.session(
                offer: offer, builder.message(),
                check: { trace in
                    guard let asked = trace.agreed?.protocolFlags else { return nil }
                    let extra = asked.subtracting(offer.protocolFlags)
                    return extra.isEmpty ? nil : "the milter asks for \(extra), which the MTA did not offer"
                })
        },
    ]

    private static func offerCase(
        _ id: String, _ severity: ConformanceCase.Severity, version: MilterVersion, _ summary: String
    ) -> ConformanceCase {
        ConformanceCase(
            id, severity, summary, source: Source.pitfall(15) + "; " + Source.milter8 + " (milter8_negotiate)",
            applies: { context in
                // Sendmail offers versions below 6 only the version 2 actions; a milter that needs more refuses
                // such an MTA, as libmilter does (st_optionneg), rightly.
                let lacking = context.asked.actions.subtracting(context.profile.offer(version: version).actions)
                return lacking.isEmpty
                    ? nil : "the milter needs \(lacking), which the MTA's version \(version) offer lacks"
            }
        ) { context in
            let builder = CaseBuilder(context)
            return builder.session(
                offer: builder.offer(version), builder.message(),
                check: { trace in
                    guard let agreed = trace.agreed else { return nil }
                    if agreed.version > version { return "the milter answered version \(agreed.version) to \(version)" }
                    let outside = agreed.protocolFlags.subtracting(version.postfixProtocolMask)
                    return outside.isEmpty ? nil : "the milter asks for \(outside), which version \(version) lacks"
                })
        }
    }
}
