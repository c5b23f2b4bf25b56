import MilterProtocol

/// The cases the scenario format cannot say: bytes before OPTNEG, and a session that ends without QUIT. None of
/// them can be not exercised: what each is about (the bytes, the close, the negotiation after) always happens.
package enum BuiltInCases {
    package static let all: [ConformanceCase] = [
        ConformanceCase(
            "session.eof-without-quit", .must,
            "Postfix closes the socket without QUIT (after a connection-level verdict); the milter still serves.",
            source: "PROTOCOL.md §G pitfall 5; Postfix src/milter/milter8.c",
            exercises: "the close without QUIT, then negotiate", script: .closeWithoutQuit),
        ConformanceCase(
            "frame.smtp-first", .must,
            "An SMTP client on the milter port (EHLO before any OPTNEG): the milter closes without answering.",
            source: "PROTOCOL.md §G pitfall 18; libmilter comm.c mi_rd_cmd (refuses lengths over its maximum)",
            exercises: "bytes before negotiate, then negotiate",
            script: .bytesBeforeNegotiation(Array("EHLO client.example.test\r\n".utf8))),
        ConformanceCase(
            "frame.optneg-short", .should, "An OPTNEG with 4 bytes instead of 12: the milter closes without answering.",
            source: "libmilter engine.c st_optionneg (checks MILTER_OPTLEN)",
            exercises: "bytes before negotiate, then negotiate",
            script: .bytesBeforeNegotiation([0, 0, 0, 5, MilterCommand.ID.optionNegotiation.rawValue, 0, 0, 0, 6])),
    ]
}
