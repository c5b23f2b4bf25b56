import MilterProtocol

extension Finding {
    /// The commands the client sent with no reply due (an event the milter negotiated an NR flag for, ABORT, QUIT
    /// and QUIT_NC) since the last reply it read, oldest first, a command sent several times in a row counted once
    /// (`HEADER×10`).
    ///
    /// A milter that refuses or dies on such a command (a HELO it cannot take, with NR for HELO) is found only at
    /// the next step that awaits a reply: the finding names that step, and these are the commands that went before
    /// it unanswered, any of which the milter may have choked on. Command names only: no value goes into it.
    public struct SentWithoutReply: Hashable, Sendable, CustomStringConvertible {
        /// A command sent `count` times in a row.
        public struct Run: Hashable, Sendable {
            /// The command.
            public var command: MilterCommand.ID
            /// How many times in a row, at least 1.
            public var count: Int

            /// Creates a run.
            public init(command: MilterCommand.ID, count: Int = 1) {
                self.command = command
                self.count = count
            }
        }

        /// The most runs kept: the commands after them are only counted (``unlisted``). The first commands are
        /// kept, as the milter most likely stopped at one of them.
        public static let maximumRuns = 16

        /// The commands, oldest first, at most ``maximumRuns`` runs.
        public private(set) var runs: [Run] = []
        /// The commands sent after the last of ``runs`` that did not fit in them.
        public private(set) var unlisted = 0

        /// None.
        public init() {}

        /// These runs, then `unlisted` commands not listed.
        public init(_ runs: [Run], unlisted: Int = 0) {
            self.runs = runs
            self.unlisted = unlisted
        }

        /// Whether no command went without a reply since the last reply.
        public var isEmpty: Bool { runs.isEmpty }

        /// Notes `command`, sent with no reply due.
        mutating func append(_ command: MilterCommand.ID) {
            if let last = runs.indices.last, runs[last].command == command, unlisted == 0 {
                runs[last].count += 1
            } else if runs.count < Self.maximumRuns {
                runs.append(Run(command: command))
            } else {
                unlisted += 1
            }
        }

        /// Forgets every command: a reply came. The storage is kept for the next ones.
        mutating func removeAll() {
            guard !runs.isEmpty else { return }
            runs.removeAll(keepingCapacity: true)
            unlisted = 0
        }

        /// `HELO, MAIL, RCPT×2, HEADER×10, EOH, BODY`, then `and 3 more` for commands not listed.
        public var description: String {
            var parts = runs.map { $0.count == 1 ? "\($0.command)" : "\($0.command)×\($0.count)" }
            if unlisted > 0 { parts.append("and \(unlisted) more") }
            return parts.joined(separator: ", ")
        }
    }
}
