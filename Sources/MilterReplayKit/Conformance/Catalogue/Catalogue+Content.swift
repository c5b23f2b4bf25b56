import MilterClient
import MilterProtocol

extension Catalogue {
    static let headerCases: [ConformanceCase] = [
        contentCase(
            "header.empty-value", "A header with an empty value, name\\0\\0.", source: Source.pitfall(11)
        ) { builder in
            builder.message(headers: builder.headers + [builder.header("X-Empty", "")])
        },
        contentCase(
            "header.huge-value", "A header value of 65000 bytes (near the 65535-byte frame limit).",
            source: "PROTOCOL.md §A (65535-byte maximum data size)"
        ) { builder in
            let value = String(repeating: "a", count: 64_999)
            return builder.message(headers: builder.headers + [builder.header("X-Huge", value)])
        },
        contentCase(
            "header.folded", "A folded header value, continuation lines joined with a bare LF.",
            source: "PROTOCOL.md §B (folded values use bare \\n); " + Source.milter8
        ) { builder in
            builder.message(
                headers: builder.headers + [builder.header("X-Folded", "first part\n\tsecond part\n third")])
        },
        contentCase(
            "header.8bit", "Header values with raw 8-bit bytes (UTF-8 and Latin-1).",
            source: "RFC 6532; " + Source.milter8
        ) { builder in
            let utf8 = Array("Grüße aus Köln — 日本語".utf8)
            let latin1: [UInt8] = [0x63, 0x61, 0x66, 0xE9, 0x20, 0xFC, 0x62, 0x65, 0x72]
            return builder.message(
                headers: builder.headers + [builder.header("Subject", utf8), builder.header("X-Latin1", latin1)])
        },
        contentCase(
            "header.many", "A message with 500 header fields.", source: Source.engine
        ) { builder in
            builder.message(headers: builder.headers + (1...500).map { builder.header("X-Trace-\($0)", "hop \($0)") })
        },
        contentCase(
            "header.none", "A message without any header: EOH straight after DATA.", source: Source.milter8
        ) { builder in
            builder.message(headers: [])
        },
        ConformanceCase(
            "header.leading-space", .should,
            "With HDR_LEADSPC the value keeps its leading space; the milter still answers every header.",
            source: Source.pitfall(10) + "; libmilter mfdef.h (SMFIP_HDR_LEADSPC)",
            applies: {
                $0.asked.protocolFlags.contains(.headerLeadingSpace) ? nil : "the milter does not ask for HDR_LEADSPC"
            }
        ) { context in
            let builder = CaseBuilder(context)
            return builder.session(
                builder.message(headers: builder.headers + [builder.header("X-Spaced", "  two spaces")]))
        },
    ]

    static let bodyCases: [ConformanceCase] = [
        contentCase(
            "body.chunk-65535", "A body chunk of exactly 65535 bytes, the largest an MTA sends.",
            source: "PROTOCOL.md §A; " + Source.milter8 + " (MILTER_CHUNK_SIZE)"
        ) { builder in
            builder.message(body: CaseBuilder.largeBody(count: 65_535))
        },
        contentCase(
            "body.over-64k", "A 300 KB body in five chunks of 65535 bytes and a remainder.",
            source: "PROTOCOL.md §E (chunks of exactly 65535 except the last)"
        ) { builder in
            builder.message(body: CaseBuilder.largeBody(count: 300_000))
        },
        contentCase(
            "body.empty", "A message with an empty body: no BODY, EOH then end of message.", source: Source.milter8
        ) { builder in
            builder.message(body: [])
        },
        contentCase(
            "body.8bit", "A body with every byte value from 0x80 to 0xFF, and a NUL.", source: "RFC 6152 (8BITMIME)"
        ) { builder in
            builder.message(body: Array("8bit: ".utf8) + (0x80...0xFF).map { UInt8($0) } + [0x00, 0x0D, 0x0A])
        },
        contentCase(
            "body.bare-lf-and-long-lines", "Body lines with bare LF and a 5000-byte line.",
            source: "PROTOCOL.md §E/§F (the MTA normally sends CRLF; not every client does)"
        ) { builder in
            builder.message(body: Array("one\ntwo\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 5000) + [0x0A])
        },
    ]

    private static func contentCase(
        _ id: String, _ summary: String, source: String, steps: @escaping @Sendable (CaseBuilder) -> [CaseStep]
    ) -> ConformanceCase {
        ConformanceCase(id, .must, summary, source: source) { context in
            let builder = CaseBuilder(context)
            return builder.session(steps(builder), check: lastMessageAnswered)
        }
    }
}
