import MilterProtocol

extension ScriptedMilter {
    /// `body`'s result and the events of the connections the milter accepted meanwhile (MACRO packets left out),
    /// connection after connection, waiting up to a minute after `body` for the MTA to close those connections:
    /// Postfix's last ABORT and QUIT reach the milter after the SMTP session, and a client program's after it exits,
    /// whenever the MTA's process gets to them (the five seconds this waited are not much on two loaded cores).
    ///
    /// What a connection accepted before `body` sends meanwhile is left out: an MTA's earlier session that ends
    /// late (the check that Postfix listens, a session whose QUIT is still on its way) does not mix with this one.
    package func events<T>(during body: () async throws -> T) async throws -> (T, [MilterCommand.ID]) {
        let before = acceptedConnections
        let value = try await body()
        let deadline = ContinuousClock.now + .seconds(60)
        while openConnections(from: before) > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        return (value, eventIDs(ofConnectionsFrom: before))
    }
}

extension ScriptedMilter {
    /// Waits until the milter has received `count` QUITs in all and has no connection open, or `timeout` passed.
    ///
    /// An MTA started for a test is probed until it listens (``FreePort/waitUntilListening(host:port:timeout:)``):
    /// that TCP connection, opened and closed at once, reaches the milter as OPTNEG, CONNECT and QUIT whenever the
    /// MTA's process gets to it, under load well after the test's first session began. A test that reads the
    /// milter's events session by session waits for it first.
    package func waitForQuits(_ count: Int, timeout: Duration = .seconds(20)) async throws {
        _ = try await pollUntil("\(count) QUIT(s) at the milter, no connection open", timeout: timeout) {
            eventIDs.count(where: { $0 == .quit }) >= count && openConnections == 0 ? true : nil
        }
    }
}
