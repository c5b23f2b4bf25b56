import MilterClient
import _MilterSystem

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
    /// whether the milter can be reached.
    var isLocal: Bool { Self.localReasons.contains(reason) }

    /// The words of the local failures, as the drivers word an `errno`.
    private static let localReasons: Set<String> = Set(
        [EMFILE, ENFILE, ENOBUFS, ENOMEM, EADDRNOTAVAIL].map(SystemCall.lowercasedErrorText))
}
