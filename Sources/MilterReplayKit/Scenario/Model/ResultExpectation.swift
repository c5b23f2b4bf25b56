/// The message as the MTA would queue it after the modifications (`result:`).
package struct ResultExpectation: Hashable, Sendable {
    /// A header field that must be there, by name, with a value when given.
    package struct Header: Hashable, Sendable {
        package var name: String
        package var value: TextMatch?

        package init(name: String, value: TextMatch? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// Header fields that must be there (`headers-present:`).
    package var headersPresent: [Header] = []
    /// Header fields, by name, that must not be there (`headers-absent:`).
    package var headersAbsent: [String] = []
    /// The body (`body:`), matched as UTF-8 text (bytes that are not become U+FFFD).
    package var body: TextMatch?
    /// The envelope sender (`sender:`), with angle brackets.
    package var sender: TextMatch?
    /// Envelope recipients that must be there (`recipients-include:`).
    package var recipientsInclude: [String] = []
    /// Envelope recipients that must not be there (`recipients-exclude:`).
    package var recipientsExclude: [String] = []

    package init() {}
}
