import MilterClient
import MilterProtocol
import NIOCore

/// The session a case plays against the milter.
package enum CaseScript: Sendable {
    /// A session through the fake MTA: the offer, then each step, every reply checked by the client; the case
    /// passes when nothing is found and `check` finds nothing wrong either.
    case session(SessionScript)
    /// Bytes written as they are, which no MTA would send: the milter must close the connection without
    /// answering (or, with ``RawScript/allowsOneReply``, answer with one well-formed reply), and still serve a
    /// new connection afterwards.
    case raw(RawScript)
}

/// A session through the fake MTA.
package struct SessionScript: Sendable {
    /// The OPTNEG offer.
    package var offer: OptionNegotiation
    /// The steps, in order.
    package var steps: [CaseStep]
    /// Why the session fails beyond its findings, or nil: it sees the agreement and every step's record.
    package var check: @Sendable (SessionTrace) -> String?
    /// Why the case does not apply to what the milter agreed to in this session (`UNKNOWN` after a version 2
    /// answer), or nil.
    package var appliesToAgreement: @Sendable (NegotiatedOptions) -> String?

    package init(
        offer: OptionNegotiation, steps: [CaseStep],
        appliesToAgreement: @escaping @Sendable (NegotiatedOptions) -> String? = { _ in nil },
        check: @escaping @Sendable (SessionTrace) -> String? = { _ in nil }
    ) {
        self.offer = offer
        self.steps = steps
        self.check = check
        self.appliesToAgreement = appliesToAgreement
    }
}

/// One step of a session.
package enum CaseStep: Sendable {
    /// A command with the MACRO packets sent before it; the fake MTA skips what the milter switched off and
    /// waits for a reply only where the agreement says so.
    case send(MilterCommand, macros: [MacroDefinition])
    /// Waits this long for a reply nobody asked for (to ABORT, a MACRO, an event negotiated without reply).
    case listen(TimeAmount)
    /// Closes the socket without QUIT, as Postfix does after a connection-level verdict.
    case closeWithoutQuit
    /// Opens a second connection and negotiates: the milter still serves after what came before.
    case reconnect
}

/// What a session came to.
package struct SessionTrace: Sendable {
    /// What the milter agreed to.
    package var agreed: NegotiatedOptions?
    /// The OPTNEG step.
    package var negotiation: StepRecord
    /// Every step's record, in order.
    package var records: [StepRecord]
    /// Everything the fake MTA found, in order.
    package var findings: [Finding]
}

/// Bytes no MTA would send, after a normal start of session.
package struct RawScript: Sendable {
    /// What comes before the bytes.
    package enum Prefix: Sendable {
        /// Nothing: the bytes are the first thing the milter reads.
        case none
        /// The MTA's version 6 OPTNEG.
        case negotiation
        /// OPTNEG, CONNECT, HELO, MAIL, RCPT, DATA, one header and EOH: the bytes come where the body does.
        case body
    }

    package var prefix: Prefix
    /// The bytes written after the prefix.
    package var bytes: [UInt8]
    /// Whether one well-formed reply frame before the close (or instead of it) is acceptable: for input that
    /// a tolerant milter may take (a body chunk one byte over the limit).
    package var allowsOneReply: Bool
    /// Whether the writer's side of the socket is shut after the bytes (a truncated frame, then EOF).
    package var shutsAfterWriting: Bool

    package init(prefix: Prefix, bytes: [UInt8], allowsOneReply: Bool = false, shutsAfterWriting: Bool = false) {
        self.prefix = prefix
        self.bytes = bytes
        self.allowsOneReply = allowsOneReply
        self.shutsAfterWriting = shutsAfterWriting
    }
}
