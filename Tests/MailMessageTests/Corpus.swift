import MailMessage
import MilterTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Access to the message corpus under `fixtures/eml/`.
enum Corpus {
    /// The repository root.
    static let root: String = TestPaths.root.path

    static let directory = root + "/fixtures/eml"

    /// Fuzzer seeds and regression inputs.
    static let fuzzDirectory = root + "/fixtures/fuzz/mailmessage"

    /// The bytes of a file (path relative to `directory`, by default `fixtures/eml/`); empty if unreadable.
    static func bytes(_ name: String, in directory: String = directory) -> [UInt8] {
        guard let file = fopen(directory + "/" + name, "rb") else { return [] }
        defer { fclose(file) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            result += buffer[0..<count]
        }
        return result
    }

    static func message(_ name: String) -> MIMEMessage {
        let data = bytes(name)
        #expect(!data.isEmpty, "fixture \(name) is missing")
        return MIMEMessage(parsing: data)
    }

    /// Every `.eml` file in `fixtures/eml/` and `fixtures/eml/mime/`, relative paths, sorted.
    static func allNames() -> [String] {
        files(in: directory, subdirectories: ["", "mime/"]).filter { $0.hasSuffix(".eml") }
    }

    /// Every regular file name in the given subdirectories of `directory`, relative paths, sorted.
    static func files(in directory: String, subdirectories: [String] = [""]) -> [String] {
        var names: [String] = []
        for subdirectory in subdirectories {
            guard let dir = opendir(directory + "/" + subdirectory) else { continue }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if !name.hasPrefix("."), entry.pointee.d_type == UInt8(DT_REG) { names.append(subdirectory + name) }
            }
        }
        return names.sorted()
    }
}
