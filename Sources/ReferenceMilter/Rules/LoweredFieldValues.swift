/// The lowercased values of the fields the rules read, each read once per message as a condition first needs it.
///
/// The first field's values are kept apart from the others: rules that all read one field (the built-in ones read
/// only the subject) then need no array of fields for each message.
struct LoweredFieldValues {
    private var first: [String]?
    private var others: [[String]?]

    /// Room for `count` fields, none read yet.
    init(count: Int) {
        first = nil
        others = count > 1 ? Array(repeating: nil, count: count - 1) : []
    }

    /// The values of the field at `index`, if read already.
    subscript(index: Int) -> [String]? {
        index == 0 ? first : others[index - 1]
    }

    /// Keeps `values` as the field at `index`'s, and returns them.
    mutating func keep(_ values: [String], at index: Int) -> [String] {
        if index == 0 { first = values } else { others[index - 1] = values }
        return values
    }
}
