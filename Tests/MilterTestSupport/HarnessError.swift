/// A failure of the test harness itself (a peer that did not start, a command that timed out), as
/// opposed to a finding about the code under test.
package struct HarnessError: Error, CustomStringConvertible {
    /// What went wrong, with the peer's own output where it helps.
    package let description: String

    package init(_ description: String) {
        self.description = description
    }
}
