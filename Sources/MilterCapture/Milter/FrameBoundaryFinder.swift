import MilterProtocol
import NIOCore

/// What a boundary search concluded.
public enum FrameBoundarySearch: Hashable, Sendable {
    /// A frame starts at this offset of the window.
    case found(offset: Int)
    /// No frame starts before `discardablePrefix`; later offsets need more bytes to decide.
    case undecided(discardablePrefix: Int)
}

/// The hook that finds where milter frames start in bytes whose frame alignment is unknown: after a capture
/// started mid-stream, or after a gap.
public protocol FrameBoundaryFinder: Sendable {
    /// Searches `window` for the first plausible frame start. `isFinal` is true when no more bytes will come.
    func search(_ window: ByteBuffer, direction: FrameDirection, isFinal: Bool) -> FrameBoundarySearch
}

/// The default finder: a frame header with a plausible length and a command byte valid for its direction,
/// whose whole frame decodes with the codec, and which is followed by another plausible header or by the end
/// of the bytes seen so far (packets usually end on frame boundaries).
public struct PlausibleFrameBoundaryFinder: FrameBoundaryFinder {
    /// The largest frame length considered plausible: a full body chunk plus its command byte.
    public var maximumLength: Int

    /// Creates a finder.
    public init(maximumLength: Int = 65536) { self.maximumLength = maximumLength }

    /// Scans `window` from its start.
    public func search(_ window: ByteBuffer, direction: FrameDirection, isFinal: Bool) -> FrameBoundarySearch {
        let end = window.readableBytes
        var offset = 0
        while offset + 5 <= end {
            if let length = plausibleHeader(window, at: offset, direction: direction) {
                let frameEnd = offset + 4 + length
                if frameEnd > end { return isFinal ? .found(offset: offset) : .undecided(discardablePrefix: offset) }
                if decodes(window, at: offset, length: length, direction: direction) {
                    if frameEnd == end
                        || (frameEnd + 5 <= end && plausibleHeader(window, at: frameEnd, direction: direction) != nil)
                    {
                        return .found(offset: offset)
                    }
                    if frameEnd + 5 > end && !isFinal { return .undecided(discardablePrefix: offset) }
                }
            }
            offset += 1
        }
        return .undecided(discardablePrefix: offset)
    }

    private func plausibleHeader(_ window: ByteBuffer, at offset: Int, direction: FrameDirection) -> Int? {
        let start = window.readerIndex + offset
        guard let length = window.getInteger(at: start, as: UInt32.self), length >= 1, length <= maximumLength,
            let command = window.getInteger(at: start + 4, as: UInt8.self)
        else { return nil }
        switch direction {
        case .fromMTA: return MilterCommand.ID(rawValue: command) == nil ? nil : Int(length)
        case .fromMilter: return MilterReply.ID(rawValue: command) == nil ? nil : Int(length)
        }
    }

    private func decodes(_ window: ByteBuffer, at offset: Int, length: Int, direction: FrameDirection) -> Bool {
        let start = window.readerIndex + offset
        let frame = MilterFrame(
            command: window.getInteger(at: start + 4)!, payload: window.getSlice(at: start + 5, length: length - 1)!)
        if case .invalid = CapturedFrame.decode(frame, direction: direction) { return false }
        return true
    }
}
