/// A built-in case: what the scenario format cannot say.
package enum CaseScript: Sendable {
    /// These bytes as the very first thing on the connection, before any OPTNEG (a scenario always negotiates
    /// first): the milter must close without answering, and still negotiate on a new connection.
    case bytesBeforeNegotiation([UInt8])
    /// A whole message, then the socket closed without QUIT, as Postfix closes it after a connection-level verdict
    /// (a scenario always ends with QUIT): the milter must still negotiate on a new connection.
    case closeWithoutQuit
}
