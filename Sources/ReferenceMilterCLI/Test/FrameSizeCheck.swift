import MilterClient
import MilterProtocol
import _MilterSystem

/// The frames `test` would send that its own milter would refuse: a frame over `--max-frame-size` closes the
/// connection, and the played MTA only sees the reset.
enum FrameSizeCheck {
    /// Throws ``FrameTooLarge`` for the first frame over `limit` bytes of payload: of the envelope and the
    /// client (CONNECT, HELO, MAIL, RCPT, and the MACRO frames that carry their values), as `configuration`
    /// sends them from `client` to a milter asking for `symbolLists`, then of the header fields.
    static func check(
        _ message: MilterMessage, configuration: MilterClientConfiguration, client: SMTPClient,
        symbolLists: [SymbolList], limit: Int
    ) throws(FrameTooLarge) {
        let frames = configuration.envelopeFrames(of: message, client: client, symbolLists: symbolLists)
        if let frame = frames.first(where: { $0.payloadSize > limit }) {
            throw FrameTooLarge(frame: frame.field, command: frame.command, size: frame.payloadSize, limit: limit)
        }
        // reference-milter asks for HDR_LEADSPC, which the played Postfix offers: each value keeps its leading space.
        for (index, field) in message.headerPayloadsWithLeadingSpace.enumerated() {
            // The name and the value, each with its terminating NUL.
            let size = field.name.bytes.count + field.value.bytes.count + 2
            if size > limit {
                throw FrameTooLarge(
                    frame: "the HEADER frame of header field \(index + 1) '\(field.name.string)'", command: .header,
                    size: size, limit: limit)
            }
        }
    }
}

/// A frame too large for the milter's frame limit: an MTA would lose the connection and apply its default
/// action (Postfix's `milter_default_action`, tempfail by default).
package struct FrameTooLarge: Error, CustomStringConvertible {
    /// The frame and the field in it, named but not shown (its value is personal data): `the HEADER frame of
    /// header field 3 'Subject'`, `the MAIL frame of the envelope sender`.
    package let frame: String
    /// The command the frame carries or precedes: the step at which the milter would close the connection.
    package let command: MilterCommand.ID
    /// The payload's size in bytes.
    package let size: Int
    /// The milter's limit, `--max-frame-size`.
    package let limit: Int

    package var description: String {
        "\(TerminalText.escapingControls(frame)) (value not shown) "
            + "has a payload of \(size) bytes, over the milter's limit of \(limit) (--max-frame-size, up to "
            + "\(ClassificationOptions.maximumFrameSizeLimit)): the milter would close the connection and "
            + "the MTA apply its default action, tempfail"
    }
}

extension TestRun {
    /// The result of a message with a frame the milter would refuse: the MTA's tempfail, at the frame's step, with
    /// `refused` (which names the frame, not its value) as the reason, as `test` prints any verdict.
    init(refused: FrameTooLarge) {
        self.init(
            outcome: TestOutcome(connectionClosedAt: refused.command), reason: "\(refused)", queueID: Self.queueID)
    }
}
