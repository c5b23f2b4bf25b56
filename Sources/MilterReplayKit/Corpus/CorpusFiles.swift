import _MilterSystem

/// Finds the .eml files named on the command line, and reads them.
///
/// Plain POSIX calls, no Foundation: the CLI then starts without loading Foundation's libraries.
package enum CorpusFiles {
    /// The largest file read, checked before reading.
    package static let maximumFileSize = 64 << 20

    /// The most MiB the files of a corpus may hold together unless `--max-corpus-mib` says otherwise: every message
    /// is read into memory before the run, and takes more there than its file's bytes.
    package static let defaultMaximumCorpusMiB = 512

    /// The input that names standard input.
    package static let standardInput = "-"

    /// Files as given, and every `*.eml` under each directory, each directory walked in sorted order; `-` stays,
    /// for standard input, and may be given once.
    package static func list(_ inputs: [String]) throws(CorpusError) -> [String] {
        var files: [String] = []
        for input in inputs {
            if input == standardInput {
                // The second read found standard input at its end: an empty message, sent with a made-up envelope.
                guard !files.contains(standardInput) else {
                    throw CorpusError(description: "-: standard input is read once: give - only once")
                }
                files.append(input)
                continue
            }
            var status = stat()
            guard stat(input, &status) == 0 else {
                throw CorpusError(description: "\(input): \(errorText(errno))")
            }
            files += status.st_mode & S_IFMT == S_IFDIR ? emlFiles(under: input) : [input]
        }
        return files
    }

    /// Reads a file, refusing one over ``maximumFileSize`` before reading it, and anything but a regular file
    /// (a FIFO, named or found in a directory, blocked the run for ever); `-` reads standard input.
    package static func read(_ path: String) throws(CorpusError) -> [UInt8] {
        do {
            if path == standardInput { return try FileContents.read(descriptor: 0, limit: maximumFileSize) }
            return try FileContents.read(path, limit: maximumFileSize, regularOnly: true)
        } catch {
            throw CorpusError(description: "\(path == standardInput ? "standard input" : path): \(error)")
        }
    }

    /// The `*.eml` files under `directory` and its subdirectories (not those reached through symbolic links).
    private static func emlFiles(under directory: String) -> [String] {
        let root = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var found: [String] = []
        collect(root, relative: "", into: &found)
        return found.sorted().map { root + "/" + $0 }
    }

    private static func collect(_ root: String, relative: String, into found: inout [String]) {
        let path = relative.isEmpty ? root : root + "/" + relative
        guard let directory = opendir(path) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let child = relative.isEmpty ? name : relative + "/" + name
            var status = stat()
            guard lstat(root + "/" + child, &status) == 0 else { continue }
            if status.st_mode & S_IFMT == S_IFDIR {
                collect(root, relative: child, into: &found)
            } else if child.lowercased().hasSuffix(".eml") {
                found.append(child)
            }
        }
    }

    /// The text of an `errno` value.
    static func errorText(_ number: Int32) -> String { SystemCall.errorText(number) }
}
