extension MilterProtocolError {
    /// The rule an error names. Compare codes with `==`; switch over them with `default:`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String, Hashable, Sendable {
            // Framing
            case zeroLengthFrame, frameTooLarge, truncatedFrame
            // Payloads
            case unknownCommand, unknownReply, missingNUL, malformedPayload, unexpectedPayload
            case embeddedNUL, invalidReplyCode
            // Negotiation
            case unsupportedVersion, versionAboveOffer, actionsNotOffered, protocolNotOffered
            // MTA-side sequencing (the milter broke a rule)
            case replyToNoReplyCommand, unsolicitedReply, replyDespiteNoReply
            case modificationBeforeEndOfMessage, modificationNotNegotiated, replaceBodyInterleaved, invalidHeaderName
            case lineBreakNotFold
            case skipNotNegotiated, skipNotAllowedHere, replyNotAllowedHere, negotiationExpected
            case quarantineBeforeEndOfMessage
            // Milter-side sequencing (the MTA broke a rule)
            case commandOutOfOrder, eventNotNegotiated, eventNotInVersion, connectExpected
            case optionNegotiationRepeated, replyWhereNoneIsAllowed, secondReply, noReplyAwaited
        }
        fileprivate let base: Base
        fileprivate init(_ base: Base) { self.base = base }

        /// The rule's name, stable across releases.
        public var description: String { base.rawValue }

        /// A frame length of 0, which cannot even hold the command byte.
        public static let zeroLengthFrame = Code(.zeroLengthFrame)
        /// A frame longer than the configured maximum; refused before any payload is buffered.
        public static let frameTooLarge = Code(.frameTooLarge)
        /// The stream ended inside a frame.
        public static let truncatedFrame = Code(.truncatedFrame)
        /// A command byte that is not a milter command.
        public static let unknownCommand = Code(.unknownCommand)
        /// A reply byte that is not a milter reply.
        public static let unknownReply = Code(.unknownReply)
        /// A string field without its terminating NUL.
        public static let missingNUL = Code(.missingNUL)
        /// A payload whose structure does not match its command or reply.
        public static let malformedPayload = Code(.malformedPayload)
        /// Data after a command or reply that carries none.
        public static let unexpectedPayload = Code(.unexpectedPayload)
        /// A string to be encoded contains a NUL byte, which would corrupt the frame.
        public static let embeddedNUL = Code(.embeddedNUL)
        /// A REPLYCODE text that breaks RFC 5321/3463 or the milter rules.
        public static let invalidReplyCode = Code(.invalidReplyCode)
        /// A protocol version outside 2, 3, 4 and 6.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// The milter answered with a version above the MTA's offer.
        public static let versionAboveOffer = Code(.versionAboveOffer)
        /// The milter asked for actions the MTA did not offer.
        public static let actionsNotOffered = Code(.actionsNotOffered)
        /// The milter asked for protocol bits the MTA did not offer.
        public static let protocolNotOffered = Code(.protocolNotOffered)
        /// A reply to ABORT, MACRO or QUIT, which take none (pitfall 1).
        public static let replyToNoReplyCommand = Code(.replyToNoReplyCommand)
        /// A reply while none was awaited, for example a second final reply (pitfall 6).
        public static let unsolicitedReply = Code(.unsolicitedReply)
        /// A reply to an event whose reply was switched off with an NR flag (pitfall 7).
        public static let replyDespiteNoReply = Code(.replyDespiteNoReply)
        /// A modification before end of message (pitfall 8).
        public static let modificationBeforeEndOfMessage = Code(.modificationBeforeEndOfMessage)
        /// A modification whose action was not negotiated.
        public static let modificationNotNegotiated = Code(.modificationNotNegotiated)
        /// REPLBODY chunks interleaved with other modifications (pitfall 21).
        public static let replaceBodyInterleaved = Code(.replaceBodyInterleaved)
        /// ADDHEADER, INSHEADER or CHGHEADER with a header name that is empty or not an RFC 5322 field name
        /// (printable US-ASCII other than `:`); libmilter's `smfi_addheader` refuses an empty one itself.
        public static let invalidHeaderName = Code(.invalidHeaderName)
        /// ADDHEADER, INSHEADER or CHGHEADER with a value holding a CR or LF that does not start a fold
        /// (a space or tab, then more text), or a QUARANTINE reason holding any CR or LF: the MTA would
        /// write a header field of the milter's choosing, or end the header block.
        public static let lineBreakNotFold = Code(.lineBreakNotFold)
        /// SKIP without SMFIP_SKIP negotiated (pitfall 22).
        public static let skipNotNegotiated = Code(.skipNotNegotiated)
        /// SKIP outside a body chunk or other repeatable event.
        public static let skipNotAllowedHere = Code(.skipNotAllowedHere)
        /// A reply that the MTA profile does not accept at this step (pitfall 22, DISCARD at connect).
        public static let replyNotAllowedHere = Code(.replyNotAllowedHere)
        /// A QUARANTINE before end of message, which libmilter never sends (`smfi_quarantine` works
        /// only in `xxfi_eom`) and an MTA that takes it takes with consequences of its own: Postfix
        /// holds the message, and the whole connection's messages if it came before the content.
        /// Sendmail refuses it (``replyNotAllowedHere``).
        public static let quarantineBeforeEndOfMessage = Code(.quarantineBeforeEndOfMessage)
        /// Something other than the OPTNEG reply where negotiation was expected.
        public static let negotiationExpected = Code(.negotiationExpected)
        /// A command the MTA may not send at this point of the session.
        public static let commandOutOfOrder = Code(.commandOutOfOrder)
        /// An event the milter switched off with a NO flag.
        public static let eventNotNegotiated = Code(.eventNotNegotiated)
        /// An event that the negotiated protocol version does not have (pitfall 15).
        public static let eventNotInVersion = Code(.eventNotInVersion)
        /// After QUIT_NC only CONNECT (or MACRO for it) may come (pitfall 17).
        public static let connectExpected = Code(.connectExpected)
        /// A second OPTNEG on one connection.
        public static let optionNegotiationRepeated = Code(.optionNegotiationRepeated)
        /// The milter tried to answer ABORT, MACRO or QUIT (milter side of pitfall 1).
        public static let replyWhereNoneIsAllowed = Code(.replyWhereNoneIsAllowed)
        /// The milter tried to send a second final reply (milter side of pitfall 6).
        public static let secondReply = Code(.secondReply)
        /// The milter tried to reply to an event that it negotiated with NR.
        public static let noReplyAwaited = Code(.noReplyAwaited)
    }
}
