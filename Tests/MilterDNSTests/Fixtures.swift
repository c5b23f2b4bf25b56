/// Hand-built DNS messages for the parser tests.
enum Fixtures {
    /// `2.0.0.127.zen.test` as wire labels.
    static let name: [UInt8] = label("2") + label("0") + label("0") + label("127") + label("zen") + label("test") + [0]

    static func label(_ text: String) -> [UInt8] { [UInt8(text.utf8.count)] + Array(text.utf8) }

    static func header(id: UInt16 = 0x1234, flags: UInt16 = 0x8180, counts: [UInt16]) -> [UInt8] {
        ([id, flags] + counts).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// A record whose owner is a pointer to the question name (offset 12).
    static func record(type: UInt16, ttl: UInt32 = 60, data: [UInt8]) -> [UInt8] {
        [0xC0, 0x0C, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1]
            + [UInt8(ttl >> 24), UInt8(ttl >> 16 & 0xFF), UInt8(ttl >> 8 & 0xFF), UInt8(ttl & 0xFF)]
            + [UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
    }

    /// A response with one question (type A) and the given answers.
    static func response(answers: [[UInt8]], flags: UInt16 = 0x8180) -> [UInt8] {
        header(flags: flags, counts: [1, UInt16(answers.count), 0, 0]) + name + [0, 1, 0, 1] + answers.flatMap { $0 }
    }

    /// The listing answer: 127.0.0.2, TTL 60.
    static let listed = response(answers: [record(type: 1, data: [127, 0, 0, 2])])
}
