/// The few system calls the package's targets make on files, under names that a type's own `read`, `write`,
/// `open` or `close` methods cannot shadow, and with the platform's module spelled out once.
package enum SystemCall {
    /// `read(2)` into `buffer`: the bytes read, 0 at the end of the file, -1 with `errno` set.
    package static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        #if canImport(Darwin)
        Darwin.read(descriptor, buffer.baseAddress, buffer.count)
        #elseif canImport(Musl)
        Musl.read(descriptor, buffer.baseAddress, buffer.count)
        #else
        Glibc.read(descriptor, buffer.baseAddress, buffer.count)
        #endif
    }

    /// `write(2)` of `bytes`: the bytes written, -1 with `errno` set.
    package static func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        #if canImport(Darwin)
        Darwin.write(descriptor, bytes.baseAddress, bytes.count)
        #elseif canImport(Musl)
        Musl.write(descriptor, bytes.baseAddress, bytes.count)
        #else
        Glibc.write(descriptor, bytes.baseAddress, bytes.count)
        #endif
    }

    /// Creates or truncates `path` for writing (mode 0644, close-on-exec), refusing a symbolic link at `path`
    /// (`O_NOFOLLOW`, `ELOOP`): a link planted under a report's name would have the program overwrite its target.
    /// Opened `O_NONBLOCK`, so that a FIFO at `path` with no reader fails (`ENXIO`) rather than blocking; the
    /// flag changes nothing for a regular file. The descriptor, or -1 with `errno` set.
    package static func createFile(_ path: String) -> Int32 {
        open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
    }

    /// Whether something other than a regular file, a directory or a symbolic link is at `path` (`lstat(2)`):
    /// a FIFO, a socket or a device, which opening for writing could block on or that is not a file to replace.
    package static func isSpecialFile(_ path: String) -> Bool {
        var status = stat()
        guard lstat(path, &status) == 0 else { return false }
        let type = status.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR && type != S_IFLNK
    }

    /// Whether the open `descriptor` is a regular file (`fstat(2)`).
    package static func isRegularFile(_ descriptor: Int32) -> Bool {
        var status = stat()
        return fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// Whether `path` is itself a symbolic link (`lstat(2)`), whatever it points to, dangling or not.
    package static func isSymbolicLink(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFLNK
    }

    /// Why `bind(2)` or `listen(2)` failed, in words for operators: `the address is already in use`,
    /// else the system's text lowercased at the start (`permission denied`).
    package static func bindFailureText(_ code: Int32) -> String {
        code == EADDRINUSE ? "the address is already in use" : lowercasedErrorText(code)
    }

    /// Opens `path` for writing without changing it yet: created (mode 0600) if absent, else opened
    /// as it is, refusing a symbolic link (`O_NOFOLLOW`, `ELOOP`). Returns the descriptor (-1 with
    /// `errno` set) and whether the file was created here. ``replaceContents(_:)`` empties it later,
    /// once the caller knows it will write: a command that fails to start leaves an earlier file alone.
    package static func openForReplacing(_ path: String) -> (descriptor: Int32, created: Bool) {
        let created = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if created >= 0 || errno != EEXIST { return (created, created >= 0) }
        return (open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW), false)
    }

    /// Empties a file opened with ``openForReplacing(_:)`` and makes it readable by its owner only;
    /// `false` with `errno` set if that failed.
    package static func replaceContents(_ descriptor: Int32) -> Bool {
        ftruncate(descriptor, 0) == 0 && fchmod(descriptor, 0o600) == 0
    }

    /// Creates or truncates `path` for writing, readable by its owner only (mode 0600, set again on
    /// a file that existed), refusing a symbolic link at `path` (`O_NOFOLLOW`, `ELOOP`); opened `O_NONBLOCK`, as
    /// ``createFile(_:)``, so that a FIFO there does not block. The descriptor, or -1 with `errno` set.
    package static func createPrivateFile(_ path: String) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard descriptor >= 0 else { return descriptor }
        guard fchmod(descriptor, 0o600) == 0 else {
            let failure = errno
            close(descriptor)
            errno = failure
            return -1
        }
        return descriptor
    }

    /// `close(2)`; its result is ignored, as nothing can be done about a failed close.
    package static func close(_ descriptor: Int32) {
        #if canImport(Darwin)
        _ = Darwin.close(descriptor)
        #elseif canImport(Musl)
        _ = Musl.close(descriptor)
        #else
        _ = Glibc.close(descriptor)
        #endif
    }

    /// The text of an `errno` value, `No such file or directory` for `ENOENT`.
    package static func errorText(_ number: Int32) -> String { String(cString: strerror(number)) }

    /// ``errorText(_:)`` lowercased at the start, to follow a colon: `connection refused`.
    package static func lowercasedErrorText(_ number: Int32) -> String {
        let text = errorText(number)
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
