import _MilterSystem

/// A run that stopped before its report, with the exit status it deserves; its reason is already on standard error.
public struct EarlyExit: Error, Hashable, Sendable {
    /// The process's exit status (see ``ExitCodes``).
    public let status: Int32

    /// A stop with `status`.
    public init(status: Int32) { self.status = status }

    /// Writes `milter-replay: MESSAGE` on standard error, its control characters but line feeds escaped (a message
    /// may quote a file name or a line of a file as given); returns the stop of a usage error.
    public static func usage(_ message: String) -> EarlyExit {
        FileDescriptorWriter.standardError("milter-replay: \(TerminalText.escapingControls(message))\n")
        return EarlyExit(status: ExitCodes.usage)
    }
}
