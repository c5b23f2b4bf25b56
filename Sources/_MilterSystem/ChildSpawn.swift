/// Starts a child with `posix_spawn`: the descriptors it is given, every other descriptor of this
/// process closed, no signal blocked and every signal at its default disposition.
///
/// A child inherits the parent's signal mask and ignored signals through `exec` (NIO ignores
/// `SIGPIPE`, runtime threads block some), which would make a `SIGTERM` do nothing; and it inherits
/// every descriptor not marked close-on-exec (a listening socket), which could outlive the parent.
package enum ChildSpawn {
    /// Where one of the child's descriptors comes from.
    package enum Source: Sendable {
        /// A copy (`dup2`) of a descriptor of this process, or of one the child was given before.
        case descriptor(Int32)
        /// A file the child opens (`open(path, flags, mode)`) before its program starts.
        case file(String, flags: Int32, mode: mode_t)
    }

    /// Why the child could not be started: the `errno` value `posix_spawn` returned.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        /// The `errno` value.
        package let code: Int32
        /// The value in words, `No such file or directory` for `ENOENT`.
        package var description: String { SystemCall.errorText(code) }
    }

    /// Starts `executable` with `arguments` (the first is the program's name) and returns its process id.
    ///
    /// - Parameters:
    ///   - searchPath: whether a name without `/` is looked up in `PATH` (`posix_spawnp`).
    ///   - environment: `NAME=value` entries; `nil` passes this process's environment.
    ///   - descriptors: the child's descriptors, set up in this order; every descriptor above the
    ///     highest of them (and above 2) is closed where the C library can do it
    ///     (`posix_spawn_file_actions_addclosefrom_np`, glibc 2.34 and later).
    package static func start(
        _ executable: String, arguments: [String], searchPath: Bool = false, environment: [String]?,
        descriptors: [(target: Int32, source: Source)]
    ) throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, source) in descriptors {
            // A bad descriptor (-1, say) is refused here, not silently left for the child to inherit.
            let added: Int32
            switch source {
            case .descriptor(let descriptor): added = posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            case .file(let path, let flags, let mode):
                added = posix_spawn_file_actions_addopen(&actions, target, path, flags, mode)
            }
            if added != 0 { throw Failure(code: added) }
        }
        if let closeFrom { _ = closeFrom(&actions, max(2, descriptors.map(\.target).max() ?? 2) + 1) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = CStrings(arguments)
        var pid: pid_t = 0
        func spawn(_ variables: UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
            withExtendedLifetime(argv) {
                searchPath
                    ? posix_spawnp(&pid, executable, &actions, &attributes, argv.pointers, variables)
                    : posix_spawn(&pid, executable, &actions, &attributes, argv.pointers, variables)
            }
        }
        let status: Int32
        if let environment {
            let envp = CStrings(environment)
            status = withExtendedLifetime(envp) { envp.pointers.withUnsafeBufferPointer { spawn($0.baseAddress!) } }
        } else {
            status = spawn(environ)
        }
        guard status == 0 else { throw Failure(code: status) }
        return pid
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which the C module does
    /// not import: found at run time; `nil` where it does not exist.
    private static let closeFrom: CloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()
}

/// A NULL-terminated array of C strings, freed on deinit.
private final class CStrings {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) { pointers = strings.map { strdup($0) } + [nil] }

    deinit { for pointer in pointers { free(pointer) } }
}
