import MilterProtocol

extension BlockingMilterConnection {
    /// Connects and negotiates, as ``open(to:configuration:client:)`` does, and records what is
    /// written and read from then on until ``endRecording()``: a recorded session replayed for the
    /// first time, to be sent from its ``SessionRecording`` the next times. Nothing is recorded
    /// with a ``MilterClientConfiguration/frameTap``, which must see every frame go and come. The
    /// recording keeps at most `maximumBytes` of frames and replies, and 1,024 replies to one
    /// write: past either, it keeps nothing and ``endRecording()`` gives none. With a `budget`, it
    /// reserves what it keeps from it as it goes, and past what it can reserve keeps nothing either
    /// (``RecordingBudget``).
    package static func openRecording(
        to address: MilterAddress, configuration: MilterClientConfiguration, maximumBytes: Int = 64 << 20,
        reservingFrom budget: (any RecordingBudget)? = nil
    ) throws(MilterConnectError) -> BlockingMilterConnection {
        let connection = try connected(to: address, configuration: configuration, client: SMTPClient())
        connection.digest = nil
        if configuration.frameTap == nil {
            connection.transport.recorder = ExchangeRecorder(
                after: .start, queueID: [], keepsSegments: true, maximumBytes: maximumBytes, reservingFrom: budget)
        }
        connection.negotiate()
        return connection
    }

    /// Stops recording, before the session's last step (QUIT or the close, which the recording
    /// cannot hold: the socket closes). The recording, if the session so far can be sent again
    /// from it: every event a reply, none that nobody asked for, nothing read and not taken, the
    /// socket open. `reserved` is what the recording reserved from the budget given to
    /// ``openRecording(to:configuration:maximumBytes:reservingFrom:)``, which the caller gives back
    /// when it keeps the recording or drops it; with no recording, it went back already and is 0.
    package func endRecording() -> (recording: SessionRecording?, reserved: Int) {
        guard var recorder = transport.recorder.take() else { return (nil, 0) }
        guard recorder.replayable, !transport.hasUnreadInput, machine.socketOpen, !machine.isDraining else {
            recorder.stopKeeping()
            return (nil, 0)
        }
        let held = recorder.takePending()
        var after = machine
        after.spareBuffer = nil
        return (SessionRecording(segments: recorder.segments, held: held, machineAfter: after), recorder.reserved)
    }

    /// Connects and sends `recording`'s writes one by one, comparing each reply with the one
    /// recorded, as a transaction is sent from its record (``ExchangeMemoStore``). When every reply
    /// is the recorded one, in time, the connection carries on with the machine the recording
    /// left, the frames the last steps held wait for the next write, and `records` is nil: the
    /// recorded steps' records hold. The first difference hands the session to the machine, which
    /// negotiates and replays `steps` (those the recording covers) from the start, fed what was
    /// written and read already, then on the socket: `records` are its records. Either way the
    /// connection then stands before the session's last step.
    package static func open<Steps: Collection>(
        to address: MilterAddress, configuration: MilterClientConfiguration, replaying recording: SessionRecording,
        steps: Steps
    ) throws(MilterConnectError) -> (connection: BlockingMilterConnection, records: [StepRecord]?)
    where Steps.Element: ReplayableStep {
        let connection = try connected(
            to: address, configuration: configuration, client: SMTPClient(), recorded: { recording.machineAfter })
        connection.digest = nil
        connection.transport.holdsFramesBetweenRuns = true
        switch connection.send(recording.segments, queueID: [], readingFirst: true) {
        case .alike(let times):
            if recording.held.readableBytes > 0 {
                // The first of the held steps looked for replies nobody asked for before it (nothing
                // was held yet), as ``drive(_:stoppingAtWait:)`` does: one found now is the machine's.
                connection.transport.readAvailable()
                if connection.transport.hasUnreadInput {
                    return (connection, connection.divergeSession(recording, times: times, last: nil, steps: steps))
                }
                _ = connection.transport.enqueue(recording.held)
            }
            if let first = times.first, let arrival = first.arrival {
                connection.machine.negotiation.duration = first.write.duration(to: arrival)
            }
            return (connection, nil)
        case .diverged(let times, let last):
            return (connection, connection.divergeSession(recording, times: times, last: last, steps: steps))
        }
    }

    /// A fresh machine negotiates and replays `steps`, fed what was written and read already, at
    /// the instants it was, then on the socket. The connection uses no record after this.
    private func divergeSession<Steps: Collection>(
        _ recording: SessionRecording, times: [SegmentTimes], last: DivergedTransport.Read?, steps: Steps
    ) -> [StepRecord] where Steps.Element: ReplayableStep {
        machine = MTAConnectionStateMachine(configuration: configuration, client: machine.client)
        machine.connectionTag = number
        return catchingUp(recording.segments, queueID: [], times: times, last: last) { connection, replaying in
            replaying.readAvailable()
            _ = connection.machine.run(connection.machine.negotiationRequested(), on: &replaying)
            var records: [StepRecord] = []
            records.reserveCapacity(steps.count)
            for step in steps {
                // As ``drive(_:stoppingAtWait:)``: nothing went since the last look while frames are held.
                if !replaying.base.holdsFrames { replaying.readAvailable() }
                let first = connection.machine.replayRequested(step.command, macros: step.macros, frames: step.frames)
                records.append(connection.machine.run(first, on: &replaying).record)
            }
            return records
        }
    }
}
