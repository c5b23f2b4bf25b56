import MilterProtocol
import NIOCore

/// Something the milter did wrong, tied to the step where the client noticed it.
///
/// After a finding the client acts as the profile's MTA does: it drops the milter connection and
/// applies the failure action (tempfail) to the message and to every later step of that connection.
/// With ``MTAProfile/sendmail``, a reply Sendmail has no case for at CONNECT, HELO, MAIL, RCPT,
/// DATA or UNKNOWN (SHUTDOWN, CONN_FAIL, an unknown byte, PROGRESS, QUARANTINE or a modification)
/// lets that step go on, with no SMTP reply of its own: the failure action answers the steps after
/// it (`MTARules.passesCommand(_:afterReply:)`). With ``MTAProfile/postfix``, a QUARANTINE before end
/// of message (`quarantineBeforeEndOfMessage`) is taken: the step keeps its own final reply, and the
/// message is held (see <doc:TestAMilter>).
///
/// A ``Severity/warning`` is a rule broken that the MTA lets go, as Sendmail's `milter.c` does for SKIP
/// before the body, DISCARD at CONNECT or HELO, a REPLYCODE it cannot use (replaced by its own refusal)
/// and a modification the milter did not negotiate, and as Postfix's `milter8_event` does for SKIP at
/// any event (offered or not) and a modification not negotiated: the client does the same, and the
/// step keeps its own final reply.
public struct Finding: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Hashable, Sendable {
        /// A rule of the protocol was broken; the code names it.
        case protocolViolation(MilterProtocolError)
        /// No reply frame within the timeout.
        case timeout(TimeAmount)
        /// The milter closed the connection while a reply was due.
        case endOfFile
        /// The socket failed.
        case ioError(String)
        /// The step had no final reply within ``MilterTimeouts/stepDeadline`` (the amount), though
        /// frames kept coming: `replies` in all, `progress` of them PROGRESS.
        case deadline(TimeAmount, replies: Int, progress: Int)
        /// The milter sent more than the client keeps for one connection.
        case overLimit(ResourceLimit)
    }

    /// A bound on what the client keeps for one milter connection (``MilterClientConfiguration/limits``).
    public enum ResourceLimit: Hashable, Sendable {
        /// More modifications in one message than this.
        case modificationCount(Int)
        /// Modifications in one message costing more than this many bytes of memory.
        case modificationBytes(Int)
        /// Replies that nobody read yet costing more than this many bytes of memory.
        case unreadReplyBytes(Int)
    }

    /// How much the finding weighs with the MTA.
    public enum Severity: String, Hashable, Sendable {
        /// The MTA gives up on the milter: the connection is dropped and the failure action applies.
        case error
        /// The MTA takes the reply anyway (perhaps logging it), and so does the client.
        case warning
    }

    /// What went wrong.
    public var kind: Kind
    /// How much it weighs with the MTA.
    public var severity: Severity
    /// The command whose replies were being read, or that was about to be sent.
    public var step: MilterCommand.ID
    /// For a finding made while the client waited for a reply (a timeout, a close, an I/O error, a frame it could
    /// not read, a reply where none was due): the commands sent with no reply due since the last reply read. For
    /// a step's wait, those before ``step``; for ``MilterClientConnection/listenForStrayReplies(for:)`` and the
    /// wait after QUIT (``MilterClientConfiguration/quitDrainTimeout``), those up to and including the last
    /// command sent (QUIT, for the latter). The milter may have refused or died on one of those, and is found only
    /// now. Empty for other findings, and when the command before was answered. Part of ``description``.
    public var sentWithoutReply = SentWithoutReply()

    /// Creates a finding.
    public init(_ kind: Kind, step: MilterCommand.ID, severity: Severity = .error) {
        self.kind = kind
        self.step = step
        self.severity = severity
    }

    /// A stable name for the finding: the protocol error code, `timeout`, `eof` or `ioError`.
    public var code: String {
        switch kind {
        case .protocolViolation(let error): error.code.description
        case .timeout: "timeout"
        case .endOfFile: "eof"
        case .ioError: "ioError"
        case .deadline: "deadline"
        case .overLimit(.modificationCount): "tooManyModifications"
        case .overLimit(.modificationBytes): "modificationsTooLarge"
        case .overLimit(.unreadReplyBytes): "tooManyUnreadReplies"
        }
    }

    /// The protocol error, for a violation.
    public var protocolError: MilterProtocolError? {
        if case .protocolViolation(let error) = kind { return error }
        return nil
    }

    /// The finding in words, free of personal data; the commands ``sentWithoutReply`` follow, if any
    /// (`at BODYEOB: the milter closed the connection (sent without a reply since the milter's last one: HELO, MAIL)`).
    public var description: String {
        guard !sentWithoutReply.isEmpty else { return kindDescription }
        return kindDescription + " (sent without a reply since the milter's last one: \(sentWithoutReply))"
    }

    /// The finding in words without ``sentWithoutReply``.
    private var kindDescription: String {
        switch kind {
        case .protocolViolation(let error): "at \(step): \(error)"
        case .timeout(let amount): "at \(step): no reply within \(Self.seconds(amount))"
        case .endOfFile: "at \(step): the milter closed the connection"
        case .ioError(let text): "at \(step): I/O error: \(text)"
        case .deadline(let amount, let replies, let progress):
            "at \(step): no final reply within the step's deadline of \(Self.seconds(amount))"
                + " (\(progress) PROGRESS, \(replies - progress) other replies)"
        case .overLimit(.modificationCount(let limit)): "at \(step): more than \(limit) modifications in one message"
        case .overLimit(.modificationBytes(let limit)):
            "at \(step): modifications in one message cost more than \(limit) bytes"
        case .overLimit(.unreadReplyBytes(let limit)):
            "at \(step): replies nobody asked for piled up past \(limit) bytes"
        }
    }

    /// Whether Postfix treats it as a configuration error (its `451 4.3.5` reply) rather than a
    /// communication error: a malformed REPLYCODE or an impossible body edit.
    var isConfigurationError: Bool {
        guard let code = protocolError?.code else { return false }
        return code == .invalidReplyCode || code == .replaceBodyInterleaved
    }

    private static func seconds(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}
