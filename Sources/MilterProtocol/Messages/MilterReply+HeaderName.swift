/// The check both sides make on a header edit before it counts.
extension MilterReply {
    /// A header edit must name a field: an empty name or one with `:`, a space or a control character
    /// would write a broken header line. The error shows the name's shape only, never the value.
    /// Other replies pass.
    func checkHeaderName() throws(MilterProtocolError) {
        let name: MilterString
        switch self {
        case .addHeader(let field): name = field.name
        case .insertHeader(let indexed), .changeHeader(let indexed): name = indexed.field.name
        default: return
        }
        guard !HeaderField.isValidName(name.bytes) else { return }
        throw MilterProtocolError(
            .invalidHeaderName, commandByte: id.rawValue,
            excerpt: name.isEmpty ? nil : Redaction.excerpt(name.bytes),
            detail: name.isEmpty
                ? "\(id) with an empty header name"
                : "\(id) header name is not printable US-ASCII without ':'")
    }
}
