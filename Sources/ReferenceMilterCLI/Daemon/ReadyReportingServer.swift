import Logging
import NIOPosix
import ReferenceMilter
import ServiceLifecycle

/// The daemon's milter server as a service: it starts accepting only once the service group runs,
/// so SIGTERM and SIGINT are already trapped when the first MTA is served (a signal that came
/// between the two would kill the daemon instead of draining it); then it reports ready through
/// the readiness pipe (`MILTER_READY_FD`) and `NOTIFY_SOCKET`.
struct ReadyReportingServer: Service {
    let server: MilterServer
    /// The readiness pipe's descriptor (`MILTER_READY_FD`), checked at start-up; nil without one.
    let readyDescriptor: Int32?
    let logger: Logger

    func run() async throws {
        // A socket that cannot be had is a start-up error: exit 2, with the address named.
        do { try await server.start() } catch let error as ServerError { throw CLIError.usage("\(error)") }
        if let ready = readyDescriptor {
            // Off the concurrency pool: a full pipe is waited for up to ReadinessPipe.writeTimeout.
            // The milter is served all the same: the supervisor, without its byte, decides what to do.
            do {
                if let failure = try await NIOThreadPool.singleton.runIfActive({ ReadinessPipe.signal(ready) }) {
                    logger.error("\(failure); serving anyway")
                }
            } catch {
                logger.error(
                    "cannot write the readiness byte to \(ReadinessPipe.variable)=\(ready): \(error); serving anyway")
            }
        }
        SystemdNotifier.fromEnvironment()?.send("READY=1")
        try await server.run()
    }
}
