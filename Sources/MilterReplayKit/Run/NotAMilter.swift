import MilterClient

/// A target that answered the offer (OPTNEG) with a text protocol's first line (`220 mx…`, `HTTP/1.1 400…`): it
/// is no milter, and `replay`, `scenario` and `conformance` say so in one line and exit 3, as for a milter that
/// cannot be reached.
enum NotAMilter {
    /// `127.0.0.1:25 answered like an SMTP server, not a milter`, when one of `findings` says the target at
    /// `target` answered OPTNEG like a known kind of server; nil otherwise.
    static func line(_ target: MilterAddress, _ findings: [Finding]) -> String? {
        for finding in findings where finding.step == .optionNegotiation {
            if let error = finding.protocolError, error.streamOffset == 0, let server = error.peerLooksLike {
                return "\(place(target)) answered like \(server)\(ending)"
            }
        }
        return nil
    }

    /// ``line(_:_:)`` for every finding of `outcome`, the result's then the connection's, as
    /// ``MessageOutcome/findings`` orders them, without joining them into an array for every message.
    static func line(_ target: MilterAddress, _ outcome: MessageOutcome) -> String? {
        if let result = outcome.result, let line = line(target, result.findings) { return line }
        return line(target, outcome.connectionFindings)
    }

    private static let ending = ", not a milter"

    /// Whether `reason` is a ``line(_:_:)``.
    static func isLine(_ reason: String) -> Bool { reason.hasSuffix(ending) && reason.contains(" answered like ") }

    /// The target as a connect failure names it: `127.0.0.1:7044`, `[::1]:7044`, `unix:/run/milter.sock`.
    private static func place(_ target: MilterAddress) -> String {
        switch target {
        case .unix(let path): "unix:\(path)"
        case .inet(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}
