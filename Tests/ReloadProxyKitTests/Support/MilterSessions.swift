import MailMessage
import MilterClient
import MilterProtocol
import NIOCore

/// One SMTP session played to the milter: what came back.
struct SessionOutcome: Sendable {
    let ok: Bool
    let generation: String?
    let problem: String
}

/// Plays Postfix sessions to the daemon behind the proxy.
enum MilterSessions {
    static let message = MilterMessage(
        sender: EnvelopeAddress(mailbox: "a@example.com"), recipients: [EnvelopeAddress(mailbox: "b@example.org")],
        headerFields: [
            RawHeaderField(name: "Subject", value: "load"), RawHeaderField(name: "From", value: "a@example.com"),
        ],
        body: Array("hello\r\n".utf8))

    static func configuration() -> MilterClientConfiguration {
        var configuration = MilterClientConfiguration(
            profile: .postfix, version: .v6, timeouts: MilterTimeouts(all: .seconds(30)))
        configuration.buildsResultingMessage = false
        return configuration
    }

    /// Opens a connection and gets through CONNECT and HELO.
    static func open(_ path: String) async throws -> MilterClientConnection {
        let connection = try await MilterClientConnection.open(to: .unix(path: path), configuration: configuration())
        _ = await connection.connect()
        _ = await connection.helo()
        return connection
    }

    /// Sends the message on an open connection and quits.
    static func finish(_ connection: MilterClientConnection) async -> SessionOutcome {
        let result = await connection.send(message)
        let findings = await connection.quit() + connection.connectionFindings + result.findings
        let generation = result.modifications.lazy.compactMap { reply -> String? in
            guard case .addHeader(let field) = reply, field.name.bytes == Array("X-Generation".utf8) else { return nil }
            // The daemon asks for HDR_LEADSPC: the value brings the space after the colon.
            return String(decoding: field.value.bytes.drop { $0 == 0x20 }, as: UTF8.self)
        }.first
        let ok = findings.isEmpty && result.verdict == .accept
        return SessionOutcome(ok: ok, generation: generation, problem: ok ? "" : "\(result.verdict) \(findings)")
    }

    /// A whole session.
    static func run(_ path: String) async -> SessionOutcome {
        do {
            return await finish(try await open(path))
        } catch {
            return SessionOutcome(ok: false, generation: nil, problem: "\(error)")
        }
    }
}

/// An open connection carried into a task group.
struct MilterClientConnectionBox: Sendable {
    let connection: MilterClientConnection

    init(_ connection: MilterClientConnection) { self.connection = connection }
}
