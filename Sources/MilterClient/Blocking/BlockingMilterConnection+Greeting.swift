import MilterProtocol

extension BlockingMilterConnection {
    /// Connects, negotiates, and sends CONNECT and HELO, as ``open(to:configuration:client:)``,
    /// ``connect()`` and ``helo()`` do one after the other. With
    /// ``MilterClientConfiguration/exchangeMemos``, the first connection of a client records these
    /// steps and later ones send them from the record while the milter answers as recorded
    /// (``ExchangeMemoStore``); the first difference hands them to the machine, as for a transaction.
    package static func openAndGreet(
        to address: MilterAddress, configuration: MilterClientConfiguration = MilterClientConfiguration(),
        client: SMTPClient = SMTPClient()
    ) throws(MilterConnectError) -> BlockingMilterConnection {
        let memos = configuration.frameTap == nil ? configuration.exchangeMemos : nil
        // The machine after the recorded steps, if any: the connection starts with it instead of a
        // fresh one, and makes a fresh one only if the milter answers otherwise.
        let memo = memos.flatMap { $0.isOff ? nil : $0.greeting(for: client) }
        let connection = try connected(
            to: address, configuration: configuration, client: client, recorded: { memo?.machineAfter })
        if let memos, let memo {
            connection.greet(from: memo, memos: memos)
        } else {
            connection.greet()
        }
        return connection
    }

    private func greet() {
        guard let memos, digest != nil else {
            negotiate()
            connect()
            helo()
            return
        }
        greetRecording(into: memos)
    }

    /// Through the machine, recorded for the next connection of this client.
    private func greetRecording(into memos: ExchangeMemoStore) {
        greetingRecord = ([], true)
        negotiate()
        connect()
        helo()
        let record = greetingRecord.take()!
        guard record.replayable, let digest, machine.connectionFindings.isEmpty, machine.negotiationWarnings.isEmpty,
            machine.standsBetweenTransactions, !transport.hasUnreadInput
        else { return }
        var after = machine
        after.spareBuffer = nil
        memos.keep(
            GreetingMemo(segments: record.segments, machineAfter: after, digestAfter: digest), for: machine.client)
    }

    /// Sends the recorded steps with the machine they left (given at ``init``, with this
    /// connection's tag) and, if every reply is the recorded one, keeps it with this connection's
    /// OPTNEG time; else starts a fresh machine on what was sent and read.
    private func greet(from memo: GreetingMemo, memos: ExchangeMemoStore) {
        switch send(memo.segments, queueID: [], readingFirst: true) {
        case .diverged(let times, let last):
            memos.noteGreeting(reused: false)
            machine = MTAConnectionStateMachine(configuration: configuration, client: machine.client)
            machine.connectionTag = number
            divergeGreeting(memo, times: times, last: last)
        case .alike(let times):
            memos.noteGreeting(reused: true)
            if let first = times.first, let arrival = first.arrival {
                machine.negotiation.duration = first.write.duration(to: arrival)
            }
            digest = memo.digestAfter
            prologueDigest = digest
            // Handed back for the connection's first transaction sent from a record, as ``resend`` does:
            // one array allocated and freed less per connection.
            spareTimes = times
        }
    }

    /// The machine runs OPTNEG, CONNECT and HELO from the start: fed what was written and read
    /// already, at the instants it was, then on the socket. The connection uses no record after this.
    private func divergeGreeting(_ memo: GreetingMemo, times: [SegmentTimes], last: DivergedTransport.Read?) {
        catchingUp(memo.segments, queueID: [], times: times, last: last) { connection, replaying in
            replaying.readAvailable()
            _ = connection.machine.run(connection.machine.negotiationRequested(), on: &replaying)
            replaying.readAvailable()
            _ = connection.machine.run(connection.machine.connectRequested(), on: &replaying)
            replaying.readAvailable()
            _ = connection.machine.run(connection.machine.heloRequested(nil), on: &replaying)
        }
    }
}
