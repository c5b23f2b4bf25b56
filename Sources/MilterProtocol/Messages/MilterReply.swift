import NIOCore

/// A reply from the milter to the MTA: a verdict, a modification, or the OPTNEG answer.
public enum MilterReply: Hashable, Sendable {
    /// `O`: the answer to OPTNEG, possibly with symbol lists.
    case optionNegotiation(OptionNegotiation)
    /// `c`: continue. At end of message Sendmail reads it as accept.
    case `continue`
    /// `a`: accept the message (or, at connect/HELO, the whole connection).
    case accept
    /// `r`: reject with the MTA's default text.
    case reject
    /// `t`: temporary failure with the MTA's default text.
    case tempfail
    /// `d`: accept and silently discard the message. Message-level only.
    case discard
    /// `y`: a final SMTP reply, `"550 5.7.1 text"\0`. See ``ReplyCode``. Bytes a milter sends after
    /// the NUL stay in the text after a NUL, for the MTA's rules to judge, and a text ending in exactly one
    /// NUL is a payload sent without one (``ReplyCode/lacksTerminator(_:)``, `ByteBuffer.readReplyCodeText()`).
    case replyCode(MilterString)
    /// `s`: skip further events of this type (body chunks). Needs SMFIP_SKIP.
    case skip
    /// `p`: still working; resets the MTA's timeout. Not final.
    case progress
    /// `+`: add a recipient, `rcpt\0`. End of message only.
    case addRecipient(MilterString)
    /// `-`: remove a recipient, `rcpt\0`, matching the RCPT string. End of message only.
    case deleteRecipient(MilterString)
    /// `2`: add a recipient with ESMTP arguments (one string). End of message only.
    case addRecipientWithArguments(EnvelopeChange)
    /// `e`: change the envelope sender, with optional ESMTP arguments (one string). End of message only.
    case changeSender(EnvelopeChange)
    /// `b`: a chunk of the replacement body. End of message only.
    case replaceBody(ByteBuffer)
    /// `h`: append a header. End of message only.
    case addHeader(HeaderField)
    /// `i`: insert a header at an index (0 is the top). End of message only.
    case insertHeader(IndexedHeaderField)
    /// `m`: change the nth header of a name (from 1); an empty value deletes it. End of message only.
    case changeHeader(IndexedHeaderField)
    /// `q`: quarantine with a reason. Postfix holds the message; the step goes on.
    case quarantine(MilterString)
    /// `4`: shut down: 421 and disconnect.
    case shutdown
    /// `f`: cause a connection failure. Postfix does not accept it.
    case connectionFailure

    /// The reply bytes.
    public enum ID: UInt8, Hashable, Sendable, CaseIterable {
        /// `O`
        case optionNegotiation = 0x4F
        /// `c`
        case `continue` = 0x63
        /// `a`
        case accept = 0x61
        /// `r`
        case reject = 0x72
        /// `t`
        case tempfail = 0x74
        /// `d`
        case discard = 0x64
        /// `y`
        case replyCode = 0x79
        /// `s`
        case skip = 0x73
        /// `p`
        case progress = 0x70
        /// `+`
        case addRecipient = 0x2B
        /// `-`
        case deleteRecipient = 0x2D
        /// `2`
        case addRecipientWithArguments = 0x32
        /// `e`
        case changeSender = 0x65
        /// `b`
        case replaceBody = 0x62
        /// `h`
        case addHeader = 0x68
        /// `i`
        case insertHeader = 0x69
        /// `m`
        case changeHeader = 0x6D
        /// `q`
        case quarantine = 0x71
        /// `4`
        case shutdown = 0x34
        /// `f`
        case connectionFailure = 0x66
    }
}

extension MilterReply {
    /// This reply's byte.
    public var id: ID {
        switch self {
        case .optionNegotiation: .optionNegotiation
        case .continue: .continue
        case .accept: .accept
        case .reject: .reject
        case .tempfail: .tempfail
        case .discard: .discard
        case .replyCode: .replyCode
        case .skip: .skip
        case .progress: .progress
        case .addRecipient: .addRecipient
        case .deleteRecipient: .deleteRecipient
        case .addRecipientWithArguments: .addRecipientWithArguments
        case .changeSender: .changeSender
        case .replaceBody: .replaceBody
        case .addHeader: .addHeader
        case .insertHeader: .insertHeader
        case .changeHeader: .changeHeader
        case .quarantine: .quarantine
        case .shutdown: .shutdown
        case .connectionFailure: .connectionFailure
        }
    }
}

extension MilterReply.ID {
    /// Whether this reply ends the step: everything but modifications, PROGRESS and QUARANTINE.
    public var isFinal: Bool {
        switch self {
        case .continue, .accept, .reject, .tempfail, .discard, .replyCode, .skip, .shutdown, .connectionFailure,
            .optionNegotiation:
            true
        default: false
        }
    }

    /// Whether this reply modifies the message, which is legal at end of message only.
    public var isModification: Bool { requiredAction != nil }

    /// The action that must have been negotiated for this modification.
    public var requiredAction: MilterActions? {
        switch self {
        case .addRecipient: .addRecipients
        case .deleteRecipient: .deleteRecipients
        case .addRecipientWithArguments: .addRecipientsWithArguments
        case .changeSender: .changeSender
        case .replaceBody: .changeBody
        case .addHeader, .insertHeader: .addHeaders
        case .changeHeader: .changeHeaders
        default: nil
        }
    }
}

extension MilterReply.ID: CustomStringConvertible {
    /// The name transcripts and logs print, such as `MAIL` or `CONTINUE`.
    public var name: StaticString {
        switch self {
        case .optionNegotiation: "OPTNEG"
        case .continue: "CONTINUE"
        case .accept: "ACCEPT"
        case .reject: "REJECT"
        case .tempfail: "TEMPFAIL"
        case .discard: "DISCARD"
        case .replyCode: "REPLYCODE"
        case .skip: "SKIP"
        case .progress: "PROGRESS"
        case .addRecipient: "ADDRCPT"
        case .deleteRecipient: "DELRCPT"
        case .addRecipientWithArguments: "ADDRCPT_PAR"
        case .changeSender: "CHGFROM"
        case .replaceBody: "REPLBODY"
        case .addHeader: "ADDHEADER"
        case .insertHeader: "INSHEADER"
        case .changeHeader: "CHGHEADER"
        case .quarantine: "QUARANTINE"
        case .shutdown: "SHUTDOWN"
        case .connectionFailure: "CONN_FAIL"
        }
    }

    /// ``name`` as a string.
    public var description: String { name.description }
}
