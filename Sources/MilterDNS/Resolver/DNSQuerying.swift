/// Something that answers DNS questions: ``DNSResolver``, or a stand-in in tests.
public protocol DNSQuerying: Sendable {
    /// Asks one question and returns the matching response, whatever its response code.
    func query(_ name: String, type: DNSRecordType) async throws(DNSError) -> DNSResponse
}
