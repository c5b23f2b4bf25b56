#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps idle iconv descriptors per charset. Opening one loads (and closing the last one unloads)
/// a gconv module with dlopen, which costs far more than converting a header; reusing
/// descriptors keeps the modules loaded. A descriptor is used by one caller at a time.
final class IconvPool: @unchecked Sendable {
    static let shared = IconvPool()

    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var idle: [String: [iconv_t]] = [:]
    private let maxPerCharset = 4
    private let maxCharsets = 64

    private init() { pthread_mutex_init(lock, nil) }

    /// Runs `body` with a descriptor converting `charset` to UTF-8, or returns nil when iconv
    /// does not know the charset.
    func withConverter<T>(from charset: String, _ body: (iconv_t) -> T) -> T? {
        guard let handle = take(charset) else { return nil }
        let result = body(handle)
        // Back to the initial shift state before the next caller.
        iconv(handle, nil, nil, nil, nil)
        give(handle, charset)
        return result
    }

    private func take(_ charset: String) -> iconv_t? {
        pthread_mutex_lock(lock)
        let cached = idle[charset]?.popLast()
        pthread_mutex_unlock(lock)
        if let cached { return cached }
        let handle = iconv_open("UTF-8", charset)
        return Int(bitPattern: handle) == -1 ? nil : handle
    }

    private func give(_ handle: iconv_t, _ charset: String) {
        pthread_mutex_lock(lock)
        let keep =
            (idle[charset]?.count ?? 0) < maxPerCharset && (idle[charset] != nil || idle.count < maxCharsets)
        if keep { idle[charset, default: []].append(handle) }
        pthread_mutex_unlock(lock)
        if !keep { iconv_close(handle) }
    }
}
