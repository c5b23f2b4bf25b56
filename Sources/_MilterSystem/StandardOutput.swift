import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// The process's standard output, written through one place so that a failed write is not lost: after the first
/// failure (a full disk, a reader gone: `EPIPE`), further output is dropped, ``failure`` holds the `errno`, and the
/// command says ``problem`` on standard error and exits 2 (`milter-replay > /dev/full`, `milter-replay | head`).
package enum StandardOutput {
    /// The `errno` of the first failed write; 0 while none failed.
    private static let failureNumber = Atomic<Int32>(0)

    /// Writes `bytes` unless an earlier write failed; returns whether they were written.
    @discardableResult
    package static func write(_ bytes: [UInt8]) -> Bool {
        guard failure == nil else { return false }
        var writer = FileDescriptorWriter(descriptor: 1)
        writer.write(bytes)
        guard let number = writer.failure else { return true }
        _ = failureNumber.compareExchange(expected: 0, desired: number, ordering: .relaxed)
        return false
    }

    /// The `errno` of the first failed write to standard output, if one failed.
    package static var failure: Int32? {
        let number = failureNumber.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }

    /// `cannot write to standard output: No space left on device`, once a write failed.
    package static var problem: String? {
        failure.map { "cannot write to standard output: \(SystemCall.errorText($0))" }
    }

    /// A write to a pipe nobody reads fails with `EPIPE`, said and counted, instead of ending the process by
    /// `SIGPIPE` before its exit code could say so.
    package static func ignoreBrokenPipes() { _ = signal(SIGPIPE, SIG_IGN) }
}
