import MilterDNS
import MilterProtocol

/// An error that can tell what went wrong without personal data: when a classifier or an early check
/// throws it, the server logs its ``redactedDescription``.
///
/// Addresses, header values and message text are personal data, kept out of logs by default as they
/// are out of the descriptions of `MailMessage`'s types (names, types and sizes only). An error that
/// does not conform is logged by its type name and a fixed note, never by its own description, which
/// may quote the message. `MilterProtocolError`, `DNSError` and ``DNSBLFailure``, whose descriptions
/// hold no personal data, conform.
///
/// ```swift
/// struct UnknownSender: Error, RedactedErrorDescription {
///     let address: String
///     var redactedDescription: String { "no such sender (address of \(address.count) characters)" }
/// }
/// ```
public protocol RedactedErrorDescription: Error {
    /// What went wrong, free of personal data.
    var redactedDescription: String { get }
}

extension MilterProtocolError: RedactedErrorDescription {
    /// The description, which redacts payload excerpts already.
    public var redactedDescription: String { description }
}

extension DNSError: RedactedErrorDescription {
    /// The description, which never holds the queried name.
    public var redactedDescription: String { description }
}

extension DNSBLFailure: RedactedErrorDescription {
    /// The description, which holds no address.
    public var redactedDescription: String { description }
}

/// The text the server logs for an error a classifier threw.
enum ClassifierErrorText {
    /// The longest redacted description logged, in characters: the rest is cut.
    static let maximumLength = 500

    /// The note logged, after the type name, for an error without a redacted description.
    static let withheld = "description not logged: it may hold personal data"

    /// `Type: redacted description` for a ``RedactedErrorDescription``, else `Type (` ``withheld`` `)`.
    static func describe(_ error: any Error) -> String {
        let type = String(describing: Swift.type(of: error))
        guard let redacted = error as? any RedactedErrorDescription else { return "\(type) (\(withheld))" }
        let text = redacted.redactedDescription
        guard text.count > maximumLength else { return "\(type): \(text)" }
        return "\(type): \(text.prefix(maximumLength))…"
    }
}
