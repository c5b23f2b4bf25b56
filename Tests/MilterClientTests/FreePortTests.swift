import MilterTestSupport
import Testing

/// The test harness's free ports: one port is never handed out twice in a test process, so two tests
/// cannot start their peers on the same port.
@Suite struct FreePortTests {
    @Test func portsHandedOutAreAllDifferent() throws {
        let ports = try (0..<300).map { _ in try FreePort.allocate() }
        #expect(Set(ports).count == ports.count)
    }

    /// Ports come from below the kernel's ephemeral range, from which outgoing connections take their local ports.
    @Test func portsComeFromBelowTheEphemeralRange() throws {
        let below = FreePort.ephemeralRange.lowerBound
        guard below > 10_001 else { return }
        let ports = try (0..<50).map { _ in try FreePort.allocate() }
        #expect(ports.allSatisfy { (10_000..<below).contains($0) }, "\(ports)")
    }
}
