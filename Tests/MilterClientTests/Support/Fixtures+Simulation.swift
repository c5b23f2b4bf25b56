import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore

extension Fixtures {
    /// A connection to a simulated milter playing `script`, after CONNECT and HELO.
    static func simulate(
        _ script: @escaping ScriptedMilter.Script, configuration: MilterClientConfiguration = configuration(),
        client: SMTPClient = SMTPClient()
    ) -> SimulatedConnection {
        let milter = SimulatedMilter(script: script, maximumReplyLength: configuration.maximumReplyLength)
        let connection = SimulatedConnection(milter: milter, configuration: configuration, client: client)
        connection.connect()
        connection.helo()
        return connection
    }

    /// Runs one message through the state machine against a simulated milter, and quits.
    static func simulateRun(
        _ script: @escaping ScriptedMilter.Script, configuration: MilterClientConfiguration = configuration(),
        message: MilterMessage = message
    ) -> (TransactionResult, SimulatedMilter, [Finding]) {
        let connection = simulate(script, configuration: configuration)
        let result = connection.send(message)
        connection.quit()
        return (result, connection.milter, connection.connectionFindings)
    }
}

extension Fixtures {
    /// Opens a state machine on a simulated milter and sends CONNECT and HELO.
    static func open(
        _ milter: SimulatedMilter, configuration: MilterClientConfiguration = configuration()
    ) -> SimulatedConnection {
        let connection = SimulatedConnection(milter: milter, configuration: configuration)
        connection.connect()
        connection.helo()
        return connection
    }
}
