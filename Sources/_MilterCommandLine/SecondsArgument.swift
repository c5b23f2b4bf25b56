/// A number of seconds, read as a ``DecimalArgument``: `30`, `0.5`, `.25`, and no other form.
package typealias SecondsArgument = DecimalArgument

extension DecimalArgument {
    /// The number of seconds; not a number (`nan`) when ``text`` is not written in decimal digits.
    package var seconds: Double { value }
}
