#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the daemon's program before the first start, as `posix_spawnp` would: a name with a slash
/// is used as it is, a bare name is looked up in `PATH`. A program that cannot be found or run is a
/// usage error at once, rather than a child that fails to start again and again with backoff.
enum ExecutableLookup {
    /// The path `posix_spawnp` will run for `name`.
    static func resolve(
        _ name: String, path: String? = getenv("PATH").map { String(cString: $0) }
    )
        throws(ProxyError) -> String
    {
        if name.contains("/") {
            try check(name)
            return name
        }
        let directories = (path ?? "/usr/local/bin:/usr/bin:/bin").split(
            separator: ":", omittingEmptySubsequences: false)
        for directory in directories {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            if isExecutableFile(candidate) { return candidate }
        }
        throw .usage("cannot run \(name): not found in PATH")
    }

    private static func check(_ path: String) throws(ProxyError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .usage("cannot run \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .usage("cannot run \(path): not a regular file") }
        guard access(path, X_OK) == 0 else { throw .usage("cannot run \(path): not executable") }
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && access(path, X_OK) == 0
    }
}
