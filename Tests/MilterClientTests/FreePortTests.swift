import MilterTestSupport
import Testing

/// The test harness's free ports: one port is never handed out twice in a test process, so two tests
/// cannot start their peers on the same port.
@Suite struct FreePortTests {
    @Test func portsHandedOutAreAllDifferent() throws {
        let ports = try (0..<300).map { _ in try FreePort.allocate() }
        #expect(Set(ports).count == ports.count)
    }
}
