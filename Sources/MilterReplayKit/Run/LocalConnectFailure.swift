import MilterClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension MilterConnectError {
    /// Whether the connect failed for want of something on this machine, not because of the milter: out of file
    /// descriptors (`too many open files`), buffers or memory, or of local ports. Such a failure says nothing of
    /// whether the milter can be reached. Judged by the `errno` of the failed system call
    /// (``MilterClient/MilterConnectError/errnoCode``): a failure without one (a timeout, a name that does not
    /// resolve) is not local.
    var isLocal: Bool { errnoCode.map(Self.localErrnoCodes.contains) ?? false }

    /// The `errno` values of the local failures.
    private static let localErrnoCodes: Set<Int32> = [EMFILE, ENFILE, ENOBUFS, ENOMEM, EADDRNOTAVAIL]
}
