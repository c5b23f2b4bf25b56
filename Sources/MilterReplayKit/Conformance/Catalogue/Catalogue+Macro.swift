import MilterProtocol
import NIOCore

extension Catalogue {
    static let macroCases: [ConformanceCase] = [
        macroCase(
            "macro.stage-L", "MACRO packets with stage L before each header (Postfix) get no reply.",
            source: Source.pitfall(3) + "; " + Source.milter8 + " (sends the EOH macros before each header)"
        ) { builder in
            withMacros(builder.message(), for: .header, stage: UInt8(ascii: "L"))
        },
        macroCase(
            "macro.stage-B", "A MACRO packet with stage B before the body chunk gets no reply.",
            source: Source.pitfall(3) + "; " + Source.milter8
        ) { builder in
            withMacros(builder.message(), for: .body, stage: UInt8(ascii: "B"))
        },
        macroCase(
            "macro.empty-packet", "MACRO packets with no pairs at all, before every command, are accepted.",
            source: Source.pitfall(3) + "; " + Source.milter8 + " (sends a MACRO packet even when no macro has a value)"
        ) { builder in
            builder.message().map { step in
                guard case .send(let command, _) = step, command.id != .abort else { return step }
                return .send(command, macros: [MacroDefinition(stage: command.id)])
            }
        },
        macroCase(
            "macro.unrequested-names",
            "Macros the milter never asked for ({x_custom}, a 1000-byte value) are accepted.",
            source: Source.engine + " (stores every pair it receives)"
        ) { builder in
            let extra = CaseMacros.definition(
                .mail, [("{x_custom}", "1"), ("{x_long}", String(repeating: "v", count: 1000))])
            return [
                .send(.mail(EnvelopeAddress(address: "<alice@example.com>")), macros: builder.macros.mail() + [extra])
            ]
                + Array(builder.message().dropFirst())
        },
        macroCase(
            "macro.no-reply", "A MACRO packet gets no reply: nothing arrives in the 300 ms after one.",
            source: Source.pitfall(1) + "; libmilter mfdef.h (SMFIC_MACRO has no reply)"
        ) { builder in
            // A MACRO and an ABORT outside a transaction: neither takes a reply.
            [.send(.abort, macros: builder.macros.mail()), .listen(.milliseconds(300))] + builder.message()
        },
        ConformanceCase(
            "macro.before-skipped-event", .must,
            "Macros still arrive for an event the milter switched off with a NO flag, and change nothing.",
            source: Source.pitfall(4) + "; " + Source.milter8 + " (sends macros before skipping the event)",
            applies: { context in
                context.asked.protocolFlags.isDisjoint(with: [.noConnect, .noHelo, .noMail, .noRecipient])
                    ? "the milter switches off none of CONNECT, HELO, MAIL, RCPT" : nil
            }
        ) { context in
            let builder = CaseBuilder(context)
            return builder.session(builder.message() + builder.message())
        },
    ]

    /// The steps with a MACRO packet (`i`, with the given stage byte) before each `command`.
    private static func withMacros(_ steps: [CaseStep], for command: MilterCommand.ID, stage: UInt8) -> [CaseStep] {
        steps.map { step in
            guard case .send(let sent, _) = step, sent.id == command else { return step }
            return .send(sent, macros: [CaseMacros.definition(stage, [("i", CaseMacros.queueID)])])
        }
    }

    private static func macroCase(
        _ id: String, _ summary: String, source: String, steps: @escaping @Sendable (CaseBuilder) -> [CaseStep]
    ) -> ConformanceCase {
        ConformanceCase(id, .must, summary, source: source) { context in
            let builder = CaseBuilder(context)
            return builder.session(steps(builder))
        }
    }
}
