import MilterProtocol
import NIOCore

/// A frame the played MTA sends before a message's header fields, and the size of its payload: what a caller
/// checks against a milter's frame limit before the session, to name the field that would be refused
/// (``MilterClientConfiguration/envelopeFrames(of:client:symbolLists:)``).
package struct EnvelopeFrame: Sendable, Equatable {
    /// The frame and the field that fills it, in words, without its value: `the MAIL frame of the envelope
    /// sender`, `the MACRO frame before MAIL, its longest value macro '{mail_addr}'`.
    package let field: String
    /// The command the frame carries, or precedes (a MACRO frame): the step at which a milter that refuses the
    /// frame closes the connection.
    package let command: MilterCommand.ID
    /// The payload's size in bytes: the frame's length less its command byte, as a milter checks it.
    package let payloadSize: Int
}

extension MilterClientConfiguration {
    /// The frames a session sends for `message` from `client` before its header fields, in order: CONNECT, HELO,
    /// MAIL, each RCPT, and the MACRO frame of each event that carries one (DATA's, the header fields' and end of
    /// message's too), built as the session builds them: the profile's macro names, or `symbolLists` where the
    /// milter will send one, with this configuration's overrides. A queue ID the MTA generates is not counted
    /// (an override of `i` is); a frame that cannot be encoded at all (a NUL in a value) is left out, the
    /// session refuses it on its own.
    package func envelopeFrames(
        of message: MilterMessage, client: SMTPClient, symbolLists: [SymbolList] = []
    ) -> [EnvelopeFrame] {
        var plan = MacroPlan(profile: profile, overrides: macroOverrides)
        if !symbolLists.isEmpty {
            plan.options = NegotiatedOptions(version: .v6, actions: [], protocolFlags: [], symbolLists: symbolLists)
        }
        var context = MacroContext(identity: identity, profile: profile, client: client)
        var frames: [EnvelopeFrame] = []
        func add(_ command: MilterCommand, _ name: String, field: String?) {
            if let event = MacroEvent(command: command.id), let planned = plan.planned(for: event) {
                let definition = MacroPlan.definition(stage: command.id, planned: planned, values: context.values)
                if let longest = definition.macros.max(by: { $0.value.bytes.count < $1.value.bytes.count }),
                    let size = Self.payloadSize(.macro(definition))
                {
                    frames.append(
                        EnvelopeFrame(
                            field: "the MACRO frame before \(name), its longest value macro '\(longest.name.string)'",
                            command: command.id, payloadSize: size))
                }
            }
            if let field, let size = Self.payloadSize(command) {
                frames.append(
                    EnvelopeFrame(field: "the \(name) frame of \(field)", command: command.id, payloadSize: size))
            }
        }
        add(.connect(client.connectInfo(profile: profile)), "CONNECT", field: "the client name and address")
        add(.helo(MilterString(client.helo)), "HELO", field: "the HELO name")
        context.sender = message.sender
        add(.mail(message.sender), "MAIL", field: "the envelope sender")
        for (index, recipient) in message.recipients.enumerated() {
            context.recipient = recipient
            add(.recipient(recipient), "RCPT", field: "envelope recipient \(index + 1)")
        }
        add(.data, "DATA", field: nil)
        add(.endOfHeaders, "the header fields", field: nil)
        add(.endOfMessage(ByteBuffer()), "end of message", field: nil)
        return frames
    }

    /// The payload size of `command`'s frame, or `nil` if it cannot be encoded.
    private static func payloadSize(_ command: MilterCommand) -> Int? {
        var buffer = ByteBuffer()
        guard let written = try? buffer.writeMilterCommand(command) else { return nil }
        return written - 5
    }
}
