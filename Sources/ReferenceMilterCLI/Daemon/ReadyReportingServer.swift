import ReferenceMilter
import ServiceLifecycle

/// The daemon's milter server as a service: it starts accepting only once the service group runs,
/// so SIGTERM and SIGINT are already trapped when the first MTA is served (a signal that came
/// between the two would kill the daemon instead of draining it); then it reports ready through
/// the readiness pipe (`MILTER_READY_FD`) and `NOTIFY_SOCKET`.
struct ReadyReportingServer: Service {
    let server: MilterServer

    func run() async throws {
        try await server.start()
        if let ready = ReadinessPipe.takeFromEnvironment() { ReadinessPipe.signal(ready) }
        SystemdNotifier.fromEnvironment()?.send("READY=1")
        try await server.run()
    }
}
