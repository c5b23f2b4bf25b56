import MilterProtocol

/// A command a case is about (`exercises:`): when an earlier verdict of the milter keeps one of these from it,
/// the case tested nothing and is reported as not exercised. Commands the case sends only to get there, or
/// after it, may be cut short by the milter's verdict without taking anything from the case.
///
/// The words are the scenario format's: `negotiate` for OPTNEG, the step keys for the rest (`header` for
/// every HEADER, `raw` for a `raw:` step's bytes).
package enum ExercisedCommand: String, Hashable, Sendable, CaseIterable {
    /// OPTNEG: the offer and the milter's answer. It always goes first, so it is never kept back.
    case negotiate
    /// CONNECT.
    case connect
    /// HELO, each of them.
    case helo
    /// MAIL, of every transaction.
    case mail
    /// RCPT, each of them.
    case rcpt
    /// DATA.
    case data
    /// HEADER, each of them (with the MACRO packet before it).
    case header
    /// EOH.
    case eoh
    /// BODY, each chunk.
    case body
    /// End of message (BODYEOB).
    case eom
    /// ABORT.
    case abort
    /// UNKNOWN.
    case unknown
    /// QUIT.
    case quit
    /// QUIT_NC.
    case quitNewConnection = "quit-nc"
    /// The bytes of a `raw` step.
    case raw
    /// The MACRO packets of the other commands named: a case about them is exercised when a command of theirs
    /// was switched off by the milter's NO flag, since the MTA sends a stage's macros all the same (Postfix
    /// `milter8_event` writes them before it checks the milter's NO flags; Sendmail's `milter_command` sends them
    /// "regardless of whether we send command"). A verdict that keeps the command back keeps its macros too.
    case macro

    /// The word for a command the fake MTA sends; `nil` for MACRO, which goes with the command it belongs to.
    package init?(_ id: MilterCommand.ID) {
        switch id {
        case .optionNegotiation: self = .negotiate
        case .macro: return nil
        case .connect: self = .connect
        case .helo: self = .helo
        case .mail: self = .mail
        case .recipient: self = .rcpt
        case .data: self = .data
        case .header: self = .header
        case .endOfHeaders: self = .eoh
        case .body: self = .body
        case .endOfMessage: self = .eom
        case .abort: self = .abort
        case .quit: self = .quit
        case .quitNewConnection: self = .quitNewConnection
        case .unknown: self = .unknown
        }
    }
}
