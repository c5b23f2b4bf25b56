import MailMessage
import MilterProtocol
import NIOCore

/// Where a whole message stands on its way through a transaction: the order of the steps,
/// written once. MAIL, each RCPT, DATA, each header, EOH, each body chunk, end of message.
struct MessageCursor {
    /// The step the message is at.
    enum Phase {
        case mail, recipient(Int), data, header(Int), endOfHeaders, body(Int), endOfMessage, end
    }

    let message: MilterMessage
    private(set) var phase = Phase.mail

    init(_ message: MilterMessage) { self.message = message }

    /// The step of the current phase, or `nil` once end of message is behind.
    mutating func next() -> MTAConnectionStateMachine.TransactionStep? {
        while true {
            switch phase {
            case .mail: return .mail(message.sender)
            case .recipient(let index):
                if index < message.recipients.count { return .recipient(message.recipients[index]) }
                phase = .data
            case .data: return .data
            case .header(let index):
                if index < message.headerFields.count {
                    return .header(message.headerFields[index], prepared: message.wire.headers[index])
                }
                phase = .endOfHeaders
            case .endOfHeaders: return .endOfHeaders
            case .body(let index):
                let chunks = message.wire.bodyChunks
                if index < chunks.count { return .body(chunks[index], wholeBody: index == 0 ? message.wire.body : nil) }
                phase = .endOfMessage
            case .endOfMessage: return .endOfMessage
            case .end: return nil
            }
        }
    }

    /// The whole frame of the current step's command, encoded once per message: a HEADER frame
    /// for a milter without SMFIP_HDR_LEADSPC, or a BODY frame; `nil` for any other step.
    func encodedFrame(headerLeadingSpace: Bool) -> ByteBuffer? {
        switch phase {
        case .header(let index): headerLeadingSpace ? nil : message.wire.headerFrames[index]
        case .body(let index): message.wire.bodyFrames[index]
        default: nil
        }
    }

    /// Moves past the current step; `bodyStops` ends the body after this chunk.
    mutating func stepDone(bodyStops: Bool) {
        switch phase {
        case .mail: phase = .recipient(0)
        case .recipient(let index): phase = .recipient(index + 1)
        case .data: phase = .header(0)
        case .header(let index): phase = .header(index + 1)
        case .endOfHeaders: phase = .body(0)
        case .body(let index): phase = bodyStops ? .endOfMessage : .body(index + 1)
        case .endOfMessage, .end: phase = .end
        }
    }
}
