import MilterProtocol

extension Catalogue {
    static let frameCases: [ConformanceCase] = [
        frameCase(
            "frame.length-zero", .must,
            "A frame of length 0 (then a CONNECT byte): the milter closes the connection without answering.",
            // libmilter reads 5 bytes before it looks at the length, and takes a length-0 command that needs
            // no payload (ABORT) as if its length were 1: the byte after the length is one that needs a payload.
            source: Source.pitfall(19) + "; libmilter comm.c mi_rd_cmd",
            RawScript(prefix: .negotiation, bytes: [0, 0, 0, 0, UInt8(ascii: "C")])),
        frameCase(
            "frame.garbage-length", .must,
            "SMTP text on the milter socket (\"post\" reads as length 1886352244): the milter closes without answering.",
            source: Source.pitfall(18) + "; libmilter comm.c mi_rd_cmd (refuses lengths over its maximum)",
            RawScript(prefix: .negotiation, bytes: Array("post /index.html HTTP/1.0\r\n\r\n".utf8))),
        frameCase(
            "frame.smtp-first", .must,
            "An SMTP client talking to the milter port (EHLO before any OPTNEG): the milter closes without answering.",
            source: Source.pitfall(18),
            RawScript(prefix: .none, bytes: Array("EHLO client.example.test\r\n".utf8))),
        frameCase(
            "frame.body-chunk-65536", .should,
            "A BODY chunk of 65536 bytes, one over the limit, without MDS negotiated: closed, or at most one well-formed reply.",
            source: Source.pitfall(18) + "; libmilter comm.c (MILTER_MAX_DATA_SIZE)",
            RawScript(
                prefix: .body, bytes: frame(.body, Array(repeating: UInt8(ascii: "b"), count: 65_536)),
                allowsOneReply: true)),
        frameCase(
            "frame.unknown-command", .should,
            "A frame with an unknown command byte ('Z'): closed, or at most one well-formed reply.",
            source: Source.engine + " (unknown commands)",
            RawScript(prefix: .negotiation, bytes: frame(UInt8(ascii: "Z"), []), allowsOneReply: true)),
        frameCase(
            "frame.truncated-then-eof", .must,
            "A frame cut short by EOF (length 100, 10 bytes): the milter closes and still serves new connections.",
            source: "libmilter comm.c mi_rd_cmd (a short read ends the session)",
            RawScript(
                prefix: .negotiation, bytes: [0, 0, 0, 100, UInt8(ascii: "H")] + Array("client.ex".utf8),
                shutsAfterWriting: true)),
        frameCase(
            "frame.optneg-short", .should, "An OPTNEG with 4 bytes instead of 12: the milter closes without answering.",
            source: "libmilter engine.c st_optionneg (checks MILTER_OPTLEN)",
            RawScript(prefix: .none, bytes: frame(.optionNegotiation, [0, 0, 0, 6]))),
        frameCase(
            "frame.connect-truncated", .should,
            "A CONNECT of family 4 without port and address: closed, or at most one well-formed reply.",
            source: "libmilter engine.c st_connect",
            RawScript(
                prefix: .negotiation, bytes: frame(.connect, Array("host\0".utf8) + [UInt8(ascii: "4")]),
                allowsOneReply: true)),
    ]

    private static func frameCase(
        _ id: String, _ severity: ConformanceCase.Severity, _ summary: String, source: String, _ script: RawScript
    ) -> ConformanceCase {
        ConformanceCase(id, severity, summary, source: source) { _ in .raw(script) }
    }

    /// A frame as written on the wire: length, command byte, payload.
    static func frame(_ command: MilterCommand.ID, _ payload: [UInt8]) -> [UInt8] { frame(command.rawValue, payload) }

    static func frame(_ command: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = UInt32(payload.count + 1)
        return [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) } + [command] + payload
    }
}
