import MilterClient
import MilterProtocol

/// The MACRO packets the MTA played sends before each command, with fixed values: Postfix's or Sendmail's
/// default macro set (PROTOCOL.md §E and §F), only those with a value.
package struct CaseMacros: Sendable {
    package let profile: MTAProfile
    package static let queueID = "4AbCdE1fGh"

    package init(profile: MTAProfile) { self.profile = profile }

    private var postfix: Bool { profile.family == .postfix }

    package func connect(client: String = "client.example.test [192.0.2.1]") -> [MacroDefinition] {
        let pairs: [(String, String)] =
            postfix
            ? [
                ("j", "mx.example.test"), ("{daemon_name}", "mx.example.test"), ("{daemon_addr}", "192.0.2.25"),
                ("v", "Postfix 3.7.11"), ("_", client),
            ]
            : [
                ("j", "mx.example.test"), ("_", client), ("{daemon_name}", "MTA"), ("{if_name}", "localhost"),
                ("{if_addr}", "127.0.0.1"),
            ]
        return [Self.definition(.connect, pairs)]
    }

    /// HELO's macros are TLS ones; without TLS none has a value, and Postfix still sends the empty packet.
    package func helo() -> [MacroDefinition] { postfix ? [Self.definition(.helo, [])] : [] }

    package func mail(_ address: String = "alice@example.com") -> [MacroDefinition] {
        let host = address.split(separator: "@").last.map(String.init) ?? ""
        let pairs: [(String, String)] =
            postfix
            ? [("i", Self.queueID), ("{mail_addr}", address), ("{mail_host}", host), ("{mail_mailer}", "smtp")]
            : [("i", Self.queueID), ("{mail_mailer}", "esmtp"), ("{mail_host}", host), ("{mail_addr}", address)]
        return [Self.definition(.mail, pairs)]
    }

    package func recipient(_ address: String = "bob@example.org") -> [MacroDefinition] {
        let host = address.split(separator: "@").last.map(String.init) ?? ""
        let pairs: [(String, String)] =
            postfix
            ? [("i", Self.queueID), ("{rcpt_addr}", address), ("{rcpt_host}", host), ("{rcpt_mailer}", "smtp")]
            : [("{rcpt_mailer}", "esmtp"), ("{rcpt_host}", host), ("{rcpt_addr}", address)]
        return [Self.definition(.recipient, pairs)]
    }

    /// DATA, end of headers: Postfix sends `i`; Sendmail none.
    package func queueIDOnly(_ stage: MilterCommand.ID) -> [MacroDefinition] {
        postfix ? [Self.definition(stage, [("i", Self.queueID)])] : []
    }

    /// Before each HEADER Postfix sends the end-of-header list with stage `L`, before each BODY chunk stage `B`.
    package func content(_ stage: MilterCommand.ID) -> [MacroDefinition] { queueIDOnly(stage) }

    package func endOfMessage() -> [MacroDefinition] {
        postfix
            ? [Self.definition(.endOfMessage, [("i", Self.queueID)])]
            : [Self.definition(.endOfMessage, [("{msg_id}", "<conformance.1@mx.example.test>")])]
    }

    package static func definition(_ stage: MilterCommand.ID, _ pairs: [(String, String)]) -> MacroDefinition {
        definition(stage.rawValue, pairs)
    }

    package static func definition(_ stage: UInt8, _ pairs: [(String, String)]) -> MacroDefinition {
        MacroDefinition(
            stage: stage, macros: pairs.map { .init(name: MilterString($0.0), value: MilterString($0.1)) })
    }
}
