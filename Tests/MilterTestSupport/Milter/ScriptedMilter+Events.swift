import MilterProtocol

extension ScriptedMilter {
    /// `body`'s result and the events (``eventIDs``) the milter got meanwhile, waiting up to five seconds after
    /// `body` for the MTA to close its connections: Postfix's last ABORT and QUIT reach the milter after the SMTP
    /// session, and a client program's after it exits.
    package func events<T>(during body: () async throws -> T) async throws -> (T, [MilterCommand.ID]) {
        let before = eventIDs.count
        let value = try await body()
        for _ in 0..<50 where openConnections > 0 { try await Task.sleep(for: .milliseconds(100)) }
        return (value, Array(eventIDs.dropFirst(before)))
    }
}
