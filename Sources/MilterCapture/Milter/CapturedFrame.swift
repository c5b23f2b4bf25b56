import MilterProtocol
import NIOCore

/// Which peer sent a milter frame.
public enum FrameDirection: Hashable, Sendable, CustomStringConvertible {
    /// A command from the MTA to the milter.
    case fromMTA
    /// A reply from the milter to the MTA.
    case fromMilter

    /// `MTA` or `milter`.
    public var description: String { self == .fromMTA ? "MTA" : "milter" }
}

/// A frame's decoded meaning, as far as the capture allows.
public enum DecodedFrame: Hashable, Sendable {
    /// A complete MTA command.
    case command(MilterCommand)
    /// A complete milter reply.
    case reply(MilterReply)
    /// A complete frame that the codec refuses.
    case invalid(MilterProtocolError)
    /// The capture lacks some of the frame's bytes, so it is not decoded: the missing bytes are never guessed.
    case truncated
}

/// One milter frame recovered from a capture.
public struct CapturedFrame: Sendable {
    /// Who sent it.
    public var direction: FrameDirection
    /// The command byte, and the payload bytes captured before the first missing byte.
    public var frame: MilterFrame
    /// The payload length announced by the frame header.
    public var declaredPayloadLength: Int
    /// Payload bytes the capture lacks (0 for a complete frame); all of them when the payload was dropped to keep
    /// within ``MilterExtractionOptions/maximumUnfinishedFrameBytesTotal`` (an
    /// ``CaptureIssue/Kind/unfinishedFrameDropped(bytes:)`` issue says so).
    public var missingBytes: Int
    /// The frame decoded with the codec, or why it is not.
    public var decoded: DecodedFrame
    /// When the packet that completed the frame was captured.
    public var timestamp: CaptureTimestamp
    /// The packet holding the frame's first byte.
    public var firstPacket: Int
    /// The packet holding the frame's last byte.
    public var lastPacket: Int
    /// The frame's offset in its direction's byte stream.
    public var streamOffset: Int64
    /// Whether a resynchronisation search (after a gap or a mid-stream start) found this frame's start, rather
    /// than the previous frame's length. Frames after it follow from its length and are not flagged.
    public var afterResynchronisation: Bool

    /// Whether every byte of the frame was captured.
    public var isComplete: Bool { missingBytes == 0 }
}

extension CapturedFrame {
    /// Decodes a complete frame with the codec, as a command or a reply depending on its sender.
    static func decode(_ frame: MilterFrame, direction: FrameDirection) -> DecodedFrame {
        do throws(MilterProtocolError) {
            switch direction {
            case .fromMTA: return .command(try MilterCommand(frame: frame))
            case .fromMilter: return .reply(try MilterReply(frame: frame))
            }
        } catch {
            return .invalid(error)
        }
    }
}
