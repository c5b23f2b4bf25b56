/// The exit codes of every `milter-replay` subcommand.
public enum ExitCodes {
    /// Every message as expected, no finding.
    public static let success: Int32 = 0
    /// An expectation mismatch or a protocol finding.
    public static let mismatch: Int32 = 1
    /// A usage error: bad option, missing input, no target.
    public static let usage: Int32 = 2
    /// The milter could not be reached, or a message was one the MTA would not offer to it (an input error).
    public static let connectFailed: Int32 = 3
}
