import _MilterSystem

/// A run that stopped before its report, with the exit status it deserves; its reason is already on standard error.
public struct EarlyExit: Error, Hashable, Sendable {
    /// The process's exit status (see ``ExitCodes``).
    public let status: Int32

    /// A stop with `status`.
    public init(status: Int32) { self.status = status }

    /// Writes `milter-replay: MESSAGE` on standard error; returns the stop of a usage error.
    static func usage(_ message: String) -> EarlyExit {
        FileDescriptorWriter.standardError("milter-replay: \(message)\n")
        return EarlyExit(status: ExitCodes.usage)
    }
}
