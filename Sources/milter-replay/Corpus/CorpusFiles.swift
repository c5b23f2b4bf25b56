import Foundation

/// Finds the .eml files named on the command line.
enum CorpusFiles {
    /// The largest file read, checked before reading.
    static let maximumFileSize = 64 << 20

    /// Files as given, and every `*.eml` under each directory, each directory walked in sorted order.
    static func list(_ inputs: [String]) throws(CorpusError) -> [String] {
        var files: [String] = []
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw CorpusError(description: "\(input): no such file or directory")
            }
            files += isDirectory.boolValue ? emlFiles(under: input) : [input]
        }
        return files
    }

    /// Reads a file, refusing one over ``maximumFileSize`` before reading it.
    static func read(_ path: String) throws(CorpusError) -> [UInt8] {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            guard size <= maximumFileSize else {
                throw CorpusError(description: "\(path): \(size) bytes is over the limit of \(maximumFileSize)")
            }
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as CorpusError {
            throw error
        } catch {
            throw CorpusError(description: "\(path): \(error.localizedDescription)")
        }
    }

    private static func emlFiles(under directory: String) -> [String] {
        let root = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.lowercased().hasSuffix(".eml") { found.append(relative) }
        }
        return found.sorted().map { root + "/" + $0 }
    }
}
