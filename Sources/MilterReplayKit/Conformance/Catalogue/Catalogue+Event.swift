import MilterClient
import MilterProtocol

extension Catalogue {
    /// Each event, with its NO flag (the MTA does not send it) and its NR flag (the MTA does not wait for a reply).
    struct Event: Sendable {
        let name: String
        let command: MilterCommand.ID
        let no: MilterProtocolFlags
        let noReply: MilterProtocolFlags
        let flagNames: (no: String, noReply: String)
    }

    static let events: [Event] = [
        Event(
            name: "connect", command: .connect, no: .noConnect, noReply: .noReplyConnect,
            flagNames: ("NOCONNECT", "NR_CONN")),
        Event(name: "helo", command: .helo, no: .noHelo, noReply: .noReplyHelo, flagNames: ("NOHELO", "NR_HELO")),
        Event(name: "mail", command: .mail, no: .noMail, noReply: .noReplyMail, flagNames: ("NOMAIL", "NR_MAIL")),
        Event(
            name: "rcpt", command: .recipient, no: .noRecipient, noReply: .noReplyRecipient,
            flagNames: ("NORCPT", "NR_RCPT")),
        Event(name: "data", command: .data, no: .noData, noReply: .noReplyData, flagNames: ("NODATA", "NR_DATA")),
        Event(
            name: "header", command: .header, no: .noHeaders, noReply: .noReplyHeader, flagNames: ("NOHDRS", "NR_HDR")),
        Event(
            name: "eoh", command: .endOfHeaders, no: .noEndOfHeaders, noReply: .noReplyEndOfHeaders,
            flagNames: ("NOEOH", "NR_EOH")),
        Event(name: "body", command: .body, no: .noBody, noReply: .noReplyBody, flagNames: ("NOBODY", "NR_BODY")),
        Event(
            name: "unknown", command: .unknown, no: .noUnknown, noReply: .noReplyUnknown,
            flagNames: ("NOUNKNOWN", "NR_UNKN")),
    ]

    static let eventCases: [ConformanceCase] = events.flatMap { event in
        [plainCase(event), noReplyCase(event), noReplyNotOfferedCase(event), skippedCase(event)]
    }

    /// CONNECT, HELO, UNKNOWN when `event` is UNKNOWN, a message, with a wait for a stray reply after the event.
    private static func steps(_ builder: CaseBuilder, _ event: Event) -> [CaseStep] {
        let unknown: [CaseStep] = event.command == .unknown ? [.send(.unknown("XCONFORMANCE test"), macros: [])] : []
        var steps = builder.opening + unknown + builder.message()
        if let index = steps.firstIndex(where: { $0.commandID == event.command }) {
            steps.insert(.listen(.milliseconds(300)), at: index + 1)
        }
        return steps
    }

    private static func record(_ trace: SessionTrace, _ event: Event) -> StepRecord? {
        trace.records.first { $0.command == event.command }
    }

    private static func plainCase(_ event: Event) -> ConformanceCase {
        ConformanceCase(
            "event.\(event.name)", .must,
            "\(event.command) offered with neither \(event.flagNames.no) nor \(event.flagNames.noReply): sent, and answered once.",
            source: Source.engine + " (one reply per event); " + Source.pitfall(7)
        ) { context in
            let builder = CaseBuilder(context)
            let offer = builder.offer(flags: MilterProtocolFlags.all.subtracting([event.no, event.noReply]))
            return builder.session(
                offer: offer, opening: [], steps(builder, event),
                appliesToAgreement: { versionGap(event, $0) }
            ) { trace in
                guard let record = record(trace, event), record.delivery != .notSent else { return nil }
                return record.delivery == .awaited ? nil : "\(event.command) was not answered (\(record.delivery))"
            }
        }
    }

    private static func noReplyCase(_ event: Event) -> ConformanceCase {
        ConformanceCase(
            "event.\(event.name)-nr", .must,
            "The milter asked for \(event.flagNames.noReply): it sends no reply to \(event.command).",
            source: Source.pitfall(7) + "; libmilter mfdef.h (SMFIP_NR_*)",
            applies: { context in
                context.asked.protocolFlags.contains(event.noReply)
                    ? nil : "the milter does not ask for \(event.flagNames.noReply)"
            }
        ) { context in
            let builder = CaseBuilder(context)
            return builder.session(opening: [], steps(builder, event), appliesToAgreement: { versionGap(event, $0) })
        }
    }

    private static func noReplyNotOfferedCase(_ event: Event) -> ConformanceCase {
        ConformanceCase(
            "event.\(event.name)-nr-not-offered", .must,
            "The milter wants \(event.flagNames.noReply) but the MTA does not offer it: it answers \(event.command) itself.",
            source: "PROTOCOL.md §D (NR_x); libmilter engine.c (replies CONTINUE itself when the MTA lacks NR_x)",
            applies: { context in
                context.asked.protocolFlags.contains(event.noReply)
                    ? nil : "the milter does not ask for \(event.flagNames.noReply)"
            }
        ) { context in
            let builder = CaseBuilder(context)
            let offer = builder.offer(flags: MilterProtocolFlags.all.subtracting(event.noReply))
            return builder.session(
                offer: offer, opening: [], steps(builder, event), appliesToAgreement: { versionGap(event, $0) }
            ) { trace in
                trace.agreed?.protocolFlags.contains(event.noReply) == true
                    ? "the milter still asks for \(event.flagNames.noReply), which the MTA did not offer" : nil
            }
        }
    }

    private static func skippedCase(_ event: Event) -> ConformanceCase {
        ConformanceCase(
            "event.\(event.name)-no", .must,
            "The milter asked for \(event.flagNames.no): \(event.command) is not sent, its macros are, the message goes on.",
            source: Source.pitfall(4) + "; " + Source.milter8,
            applies: { context in
                context.asked.protocolFlags.contains(event.no)
                    ? nil : "the milter does not ask for \(event.flagNames.no)"
            }
        ) { context in
            let builder = CaseBuilder(context)
            return builder.session(
                opening: [], steps(builder, event) + builder.message(), appliesToAgreement: { versionGap(event, $0) },
                check: lastMessageAnswered)
        }
    }

    /// DATA needs version 4, UNKNOWN version 3.
    @Sendable private static func versionGap(_ event: Event, _ agreed: NegotiatedOptions) -> String? {
        if event.command == .data, !agreed.version.hasData {
            return "the milter speaks version \(agreed.version): no DATA"
        }
        if event.command == .unknown, !agreed.version.hasUnknown {
            return "the milter speaks version \(agreed.version): no UNKNOWN"
        }
        return nil
    }
}
