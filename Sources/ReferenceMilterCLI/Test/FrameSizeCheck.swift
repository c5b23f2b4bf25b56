import MilterClient
import MilterProtocol
import _MilterSystem

/// The frames `test` would send that its own milter would refuse: a HEADER frame over
/// `--max-frame-size` closes the connection, and the played MTA only sees the reset.
enum FrameSizeCheck {
    /// Throws ``FrameTooLarge`` for the first header field whose HEADER payload is over `limit` bytes.
    static func check(_ message: MilterMessage, limit: Int) throws(FrameTooLarge) {
        for (index, field) in message.headerPayloads.enumerated() {
            // The name and the value, each with its terminating NUL.
            let size = field.name.bytes.count + field.value.bytes.count + 2
            if size > limit {
                throw FrameTooLarge(name: field.name.string, position: index + 1, size: size, limit: limit)
            }
        }
    }
}

/// A header field too large for the milter's frame limit: an MTA would lose the connection and apply
/// its default action (Postfix's `milter_default_action`, tempfail by default).
package struct FrameTooLarge: Error, CustomStringConvertible {
    /// The field's name; its value is personal data and not shown.
    package let name: String
    /// The field's position among the header fields, from 1.
    package let position: Int
    /// The HEADER payload's size in bytes.
    package let size: Int
    /// The milter's limit, `--max-frame-size`.
    package let limit: Int

    package var description: String {
        "the HEADER frame of header field \(position) '\(TerminalText.escapingControls(name))' (value not shown) "
            + "has a payload of \(size) bytes, over the milter's limit of \(limit) (--max-frame-size, up to "
            + "\(ClassificationOptions.maximumFrameSizeLimit)): the milter would close the connection and "
            + "the MTA apply its default action, tempfail"
    }
}
