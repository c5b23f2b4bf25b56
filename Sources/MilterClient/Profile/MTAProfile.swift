import MilterProtocol

/// How the played MTA talks to a milter: its offer, macros, timeouts and habits.
///
/// ``postfix`` follows Postfix's `milter8.c` (PROTOCOL.md §E) and is the default; ``sendmail``
/// follows Sendmail's `milter.c` (§F). Every field can be changed to emulate a configured MTA.
public struct MTAProfile: Hashable, Sendable {
    /// The profile's name, `postfix` or `sendmail`.
    public var name: String
    /// The I/O timeouts.
    public var timeouts: MilterTimeouts
    /// The macro names sent per event when the milter sends no symbol list for it.
    public var defaultMacros: [MacroEvent: [String]]
    /// Whether the end-of-header macros go before each HEADER (stage `L`) and the end-of-data
    /// macros before each BODY chunk (stage `B`), as Postfix does.
    public var sendsMacrosBeforeContent: Bool
    /// Whether a `D` packet goes even when the event has no macro names (Postfix sends empty ones).
    public var sendsEmptyMacroPackets: Bool
    /// The prefix of an IPv6 client address in CONNECT: Sendmail writes `IPv6:`.
    public var ipv6AddressPrefix: String
    /// Whether ABORT follows a transaction that ended normally at end of message.
    public var abortsAfterEveryTransaction: Bool
    /// Whether QUIT is sent after a connection-level verdict (Postfix just closes the socket).
    public var quitsAfterConnectionVerdict: Bool
    /// Whether the milter gets an ABORT each time the SMTP session's HELO is reset, as Postfix's `helo_reset`
    /// (`smtpd.c`) calls `milter_abort`: before QUIT at the end of a session that had a HELO, in the same write,
    /// and right after the reply to a second HELO. `milter8_abort` (`milter8.c`) writes it only to a milter still
    /// in the session (not after a verdict at CONNECT or HELO, SHUTDOWN or a failure, which closed it), on top of
    /// the ABORT that ends each transaction (``abortsAfterEveryTransaction``).
    public var abortsWhenHeloIsReset: Bool
    /// Whether the SMTP session goes on after REJECT, TEMPFAIL or REPLYCODE at CONNECT or HELO, the MTA
    /// answering for the milter, as both MTAs do: HELO gets its 250, now and later, and the other later commands
    /// the refusal. With Sendmail (`srvrsmtp.c`, `nullserver` and `tempfail`) CONNECT gets the usual greeting
    /// (``MTAReplies/rejectGreeting`` after REJECT) and the later commands ``MTAReplies/connectionReject`` after
    /// REJECT, ``MTAReplies/tempfail`` after TEMPFAIL, the text of a REPLYCODE at HELO; a REPLYCODE starting with
    /// 421 at HELO, and SHUTDOWN, end the session. With Postfix (`smtpd.c`, the milter's `def_reply`) the later
    /// commands get the refusal itself; CONNECT gets ``MTAReplies/rejectGreeting`` after a 5xx refusal, and a
    /// refusal starting with 421 (SHUTDOWN too) ends the session, with ``MTAReplies/shutdownGreeting`` at CONNECT.
    /// A failure at CONNECT or HELO is answered the same way. Otherwise the verdict's step and every later one
    /// get the refusal.
    public var keepsSessionAfterConnectionVerdict: Bool
    /// The value of the `v` macro.
    public var mtaVersion: String
    /// The replies the MTA gives for REJECT, TEMPFAIL, SHUTDOWN, and after a protocol error.
    public var replies: MTAReplies
    /// Whose OPTNEG offer and reply rules the profile uses.
    public var family: Family

    /// The MTA families whose offers and rules differ.
    public enum Family: String, Hashable, Sendable {
        /// Postfix's offer and `milter8.c` rules.
        case postfix
        /// Sendmail's offer and `milter.c` rules.
        case sendmail
    }

    /// Whether the queue ID (macro `i`) exists only once a recipient was accepted, as in Postfix
    /// (`smtpd_delay_open_until_valid_rcpt = yes`, the default): MAIL and the first RCPT carry no
    /// `i`, and a transaction refused before any recipient has no queue ID (Postfix logs `NOQUEUE`).
    /// Sendmail assigns it at MAIL.
    public var queueIDAfterFirstRecipient: Bool

    /// The bytes of a QUARANTINE reason the MTA keeps, as ``TransactionResult/quarantineReason`` reports it; `nil`
    /// for all of it. Postfix 3.10 and later log the first 100 (`milter8.c` `milter8_event`, SMFIR_QUARANTINE:
    /// `"H%.*s"` of at most 100 payload bytes; `cleanup_milter.c` and `smtpd.c` log it with the `milter-hold`
    /// line) and store none with the held message; Postfix 3.7 reads the reason and drops it, logging only
    /// "milter triggers HOLD action". Sendmail keeps it whole in the queue file.
    public var quarantineReasonLimit: Int?

    /// Creates a profile.
    public init(
        name: String, timeouts: MilterTimeouts, defaultMacros: [MacroEvent: [String]], sendsMacrosBeforeContent: Bool,
        sendsEmptyMacroPackets: Bool, ipv6AddressPrefix: String, abortsAfterEveryTransaction: Bool,
        quitsAfterConnectionVerdict: Bool, mtaVersion: String, replies: MTAReplies,
        family: Family, queueIDAfterFirstRecipient: Bool = false, quarantineReasonLimit: Int? = nil,
        keepsSessionAfterConnectionVerdict: Bool = false, abortsWhenHeloIsReset: Bool = false
    ) {
        self.abortsWhenHeloIsReset = abortsWhenHeloIsReset
        self.keepsSessionAfterConnectionVerdict = keepsSessionAfterConnectionVerdict
        self.quarantineReasonLimit = quarantineReasonLimit
        self.queueIDAfterFirstRecipient = queueIDAfterFirstRecipient
        self.name = name
        self.timeouts = timeouts
        self.defaultMacros = defaultMacros
        self.sendsMacrosBeforeContent = sendsMacrosBeforeContent
        self.sendsEmptyMacroPackets = sendsEmptyMacroPackets
        self.ipv6AddressPrefix = ipv6AddressPrefix
        self.abortsAfterEveryTransaction = abortsAfterEveryTransaction
        self.quitsAfterConnectionVerdict = quitsAfterConnectionVerdict
        self.mtaVersion = mtaVersion
        self.replies = replies
        self.family = family
    }

    /// The reply rules `MTASession` enforces for this MTA.
    public var rules: MTARules {
        switch family {
        case .postfix: .postfix
        case .sendmail: .sendmail
        }
    }

    /// The OPTNEG offer for a protocol version.
    public func offer(version: MilterVersion) -> OptionNegotiation {
        switch family {
        case .postfix: Negotiation.postfixOffer(version: version)
        case .sendmail: Negotiation.sendmailOffer(version: version)
        }
    }

    /// Looks a profile up by name (`postfix`, `sendmail`).
    public static func named(_ name: String) -> MTAProfile? {
        switch name.lowercased() {
        case "postfix": .postfix
        case "sendmail": .sendmail
        default: nil
        }
    }
}

/// The SMTP replies an MTA gives on the milter's behalf. In ``shutdown``, ``rejectGreeting`` and
/// ``shutdownGreeting``, `$j` stands for the MTA's host name (``MTAIdentity/hostname``), as in Sendmail's
/// configuration.
public struct MTAReplies: Hashable, Sendable {
    /// For REJECT.
    public var reject: String
    /// For REJECT at a header, end of headers, a body chunk or end of message (``reject`` by default).
    public var contentReject: String
    /// For TEMPFAIL.
    public var tempfail: String
    /// For SHUTDOWN.
    public var shutdown: String
    /// Under ``MTAProfile/keepsSessionAfterConnectionVerdict``, the reply to the commands after REJECT at
    /// CONNECT or HELO (``reject`` by default).
    public var connectionReject: String
    /// Under ``MTAProfile/keepsSessionAfterConnectionVerdict``, the greeting after REJECT at CONNECT (Postfix:
    /// after any 5xx refusal there); `nil` for the usual one, CONNECT then getting no refusal of its own.
    public var rejectGreeting: String?
    /// Under ``MTAProfile/keepsSessionAfterConnectionVerdict`` with Postfix, the greeting after a refusal at
    /// CONNECT that starts with 421 (SHUTDOWN, or a REPLYCODE), which ends the session; `nil` for the refusal.
    public var shutdownGreeting: String?
    /// After a protocol error, a timeout or EOF (the default action).
    public var communicationError: String
    /// After a malformed reply, such as a REPLYCODE with bad syntax.
    public var configurationError: String
    /// When every recipient was rejected.
    public var noValidRecipients: String
    /// The reply to STARTTLS after a temporary refusal at CONNECT or HELO, which keeps TLS from starting: Postfix
    /// (`smtpd.c` `starttls_cmd`) maps any 4xx reply of the milter's to `454 4.3.0 Try again later`, Sendmail
    /// (`srvrsmtp.c`, `tempfail`) answers `454 4.7.0 Please try again later`. A permanent refusal answers
    /// STARTTLS with itself.
    public var startTLSTempfail: String

    /// Creates replies; `connectionReject` and `contentReject` are `reject` unless given.
    public init(
        reject: String, tempfail: String, shutdown: String, communicationError: String, configurationError: String,
        noValidRecipients: String, connectionReject: String? = nil, rejectGreeting: String? = nil,
        shutdownGreeting: String? = nil, contentReject: String? = nil,
        startTLSTempfail: String = "454 4.3.0 Try again later"
    ) {
        self.startTLSTempfail = startTLSTempfail
        self.contentReject = contentReject ?? reject
        self.connectionReject = connectionReject ?? reject
        self.rejectGreeting = rejectGreeting
        self.shutdownGreeting = shutdownGreeting
        self.reject = reject
        self.tempfail = tempfail
        self.shutdown = shutdown
        self.communicationError = communicationError
        self.configurationError = configurationError
        self.noValidRecipients = noValidRecipients
    }

    /// `text` with `$j` replaced by `hostname`.
    func expanded(_ text: String, hostname: String) -> String {
        text.contains("$j") ? text.replacing("$j", with: hostname) : text
    }
}
