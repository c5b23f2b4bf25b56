import MilterProtocol

extension CaptureIssue: CustomStringConvertible {
    /// One line naming the issue, its place and the frame it touched. It holds no payload bytes.
    public var description: String {
        var text = kind.description
        if let streamOffset { text += " at stream offset \(streamOffset)" }
        if let frame {
            let name = FrameDescription.commandName(frame.command, direction: direction ?? .fromMTA)
            text += ", inside \(name) of \(frame.declaredPayloadLength) bytes from packet \(frame.firstPacket)"
        }
        return text
    }
}

extension CaptureIssue.Kind: CustomStringConvertible {
    /// A short sentence.
    public var description: String {
        switch self {
        case .midstreamStart: "capture starts mid-stream"
        case .truncatedPacket(let missing): "snap length cut the packet: \(missing) bytes missing"
        case .missingSegments(let length?): "segments not captured: \(length) bytes missing"
        case .missingSegments(nil): "segments not captured: the stream ended inside the hole"
        case .frameBoundaryLost: "frame boundary lost; searching for the next frame"
        case .resynchronised(let skipped): "resynchronised on a plausible frame after skipping \(skipped) bytes"
        case .resynchronisationFailed(let discarded): "no frame boundary found; \(discarded) bytes discarded"
        case .resynchronisationWindowDropped(let bytes):
            "frame boundary search over its memory limit: \(bytes) held bytes dropped unsearched"
        case .unrecognisedStreamDropped(let stream, let bytes):
            "stream \(stream) not recognised within the memory limit: \(bytes) held bytes dropped; stream ignored"
        case .decodingStopped: "decoding of this direction stopped"
        case .invalidFrameLength(let length): "invalid frame length \(length)"
        case .unfinishedFrameDropped(let bytes):
            "unfinished frames over the memory budget: \(bytes) received bytes of this frame dropped"
        case .conflictingCopies(let bytes):
            "retransmission differs from the first copy over \(bytes) bytes; the first copy is decoded"
        case .incompleteFrame(let command?, let length?, let received):
            "stream ended inside a frame (\(Redaction.describe(byte: command)), \(received) of \(length) bytes)"
        case .incompleteFrame(_, _, let received): "stream ended inside a frame header (\(received) of 5 bytes)"
        case .ipFragment(let fragment):
            "IP fragment \(fragment.source) > \(fragment.destination) id \(fragment.identification) offset "
                + "\(fragment.offset)\(fragment.moreFragments ? " (more)" : ""): not reassembled"
        case .undecodablePacket(let failure): "undecodable packet: \(failure)"
        case .undecodedBytes(let count): "\(count) bytes not decoded"
        }
    }
}

extension CaptureIssue.Kind {
    /// A stable machine name, such as `truncatedPacket`.
    public var name: String {
        switch self {
        case .midstreamStart: "midstreamStart"
        case .truncatedPacket: "truncatedPacket"
        case .missingSegments: "missingSegments"
        case .frameBoundaryLost: "frameBoundaryLost"
        case .resynchronised: "resynchronised"
        case .resynchronisationFailed: "resynchronisationFailed"
        case .resynchronisationWindowDropped: "resynchronisationWindowDropped"
        case .unrecognisedStreamDropped: "unrecognisedStreamDropped"
        case .decodingStopped: "decodingStopped"
        case .invalidFrameLength: "invalidFrameLength"
        case .unfinishedFrameDropped: "unfinishedFrameDropped"
        case .conflictingCopies: "conflictingCopies"
        case .incompleteFrame: "incompleteFrame"
        case .ipFragment: "ipFragment"
        case .undecodablePacket: "undecodablePacket"
        case .undecodedBytes: "undecodedBytes"
        }
    }
}
