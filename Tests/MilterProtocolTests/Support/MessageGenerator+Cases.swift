import MilterProtocol
import NIOCore

extension MessageGenerator {
    /// A command of the given kind with generated contents.
    mutating func command(_ id: MilterCommand.ID) -> MilterCommand {
        switch id {
        case .optionNegotiation: .optionNegotiation(negotiation(symbolLists: false))
        case .macro: .macro(macros())
        case .connect: .connect(ConnectInfo(hostname: string(), address: address()))
        case .helo: .helo(string())
        case .mail: .mail(EnvelopeAddress(address: string(), arguments: strings()))
        case .recipient: .recipient(EnvelopeAddress(address: string(), arguments: strings()))
        case .data: .data
        case .header: .header(header())
        case .endOfHeaders: .endOfHeaders
        case .body: .body(bytes())
        case .endOfMessage: .endOfMessage(bytes())
        case .abort: .abort
        case .quit: .quit
        case .quitNewConnection: .quitNewConnection
        case .unknown: .unknown(string())
        }
    }

    /// A reply of the given kind with generated contents.
    mutating func reply(_ id: MilterReply.ID) -> MilterReply {
        switch id {
        case .optionNegotiation: .optionNegotiation(negotiation(symbolLists: true))
        case .continue: .continue
        case .accept: .accept
        case .reject: .reject
        case .tempfail: .tempfail
        case .discard: .discard
        case .replyCode: .replyCode(string())
        case .skip: .skip
        case .progress: .progress
        case .addRecipient: .addRecipient(string())
        case .deleteRecipient: .deleteRecipient(string())
        case .addRecipientWithArguments: .addRecipientWithArguments(change())
        case .changeSender: .changeSender(change())
        case .replaceBody: .replaceBody(bytes())
        case .addHeader: .addHeader(header())
        case .insertHeader: .insertHeader(IndexedHeaderField(index: word(), field: header()))
        case .changeHeader: .changeHeader(IndexedHeaderField(index: word(), field: header()))
        case .quarantine: .quarantine(string())
        case .shutdown: .shutdown
        case .connectionFailure: .connectionFailure
        }
    }
}
