/// The outcome of a finished command.
package struct ProcessResult: Sendable {
    /// Exit status, or the signal number if it was killed.
    package let status: Int32
    /// Everything it wrote to standard output.
    package let stdout: String
    /// Everything it wrote to standard error.
    package let stderr: String

    package init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Throws unless the command exited 0.
    @discardableResult
    package func check(_ what: String) throws -> ProcessResult {
        guard status == 0 else {
            throw HarnessError("\(what) exited \(status): \(stderr)\(stdout)")
        }
        return self
    }
}
