import MailMessage
import MilterProtocol
import NIOCore

extension MTAConnectionStateMachine {
    /// What the step in flight is for, and so what happens when it is over.
    enum Purpose: Hashable {
        /// Nothing is under way.
        case none
        /// OPTNEG.
        case negotiation
        /// CONNECT, HELO or UNKNOWN: a finding is a connection finding.
        case connection
        /// A HELO after an earlier one: a connection step, then the ABORT of ``MTAProfile/abortsWhenHeloIsReset``.
        case heloAgain
        /// The ABORT after a second HELO; the HELO's record follows.
        case abortAfterHelo(StepRecord)
        /// A step of the transaction; `settles` is false for a step the transaction no longer sends.
        case transaction(TransactionStep, settles: Bool)
        /// The ABORT that closes a transaction; the result follows.
        case closingAbort
        /// A step of a replayed transaction.
        case replayedTransaction(MilterCommand.ID)
        /// The ABORT a replay adds before a MAIL, then that MAIL with its macros.
        case abortBeforeReplayedMail(MilterCommand, [MacroDefinition])
        /// A step with no bookkeeping, handed back as it is.
        case plain
        /// QUIT; `replay` hands back a step record instead of a finding; `drains` lets a positive
        /// ``MilterClientConfiguration/quitDrainTimeout`` wait for the milter to close.
        case quit(replay: Bool, drains: Bool)
        /// Waiting after QUIT for the milter to close.
        case draining(replay: Bool)
        /// Waiting for a reply nobody asked for.
        case listening
    }

    /// One step of a transaction as the MTA takes it: the same for the step-by-step API and for
    /// a whole message.
    package enum TransactionStep: Hashable {
        /// MAIL FROM.
        case mail(EnvelopeAddress)
        /// RCPT TO.
        case recipient(EnvelopeAddress)
        /// DATA.
        case data
        /// A header field; `prepared` is its payload for a milter without SMFIP_HDR_LEADSPC.
        case header(RawHeaderField, prepared: HeaderField?)
        /// EOH.
        case endOfHeaders
        /// A BODY chunk; `wholeBody` (CRLF) comes with the first chunk.
        case body(ByteBuffer, wholeBody: [UInt8]?)
        /// End of message.
        case endOfMessage
    }
}
