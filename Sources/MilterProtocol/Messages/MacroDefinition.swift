import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The payload of MACRO (`D`): the macros for the command that follows.
///
/// Wire form: a stage byte (the command the macros belong to, such as `C` or `M`), then
/// `name\0value\0` pairs. Postfix also sends stage `L` before each header and `B` before each
/// body chunk, and sends `D` packets with no pairs at all (pitfall 3). MACRO takes no reply.
public struct MacroDefinition: Hashable, Sendable {
    /// One macro: `{daemon_name}` or `i`, and its value.
    public struct Macro: Hashable, Sendable {
        /// The macro name as sent, with braces for long names.
        public var name: MilterString
        /// The value.
        public var value: MilterString

        /// Creates a macro.
        public init(name: MilterString, value: MilterString) {
            self.name = name
            self.value = value
        }
    }

    /// The command byte of the stage, for example `UInt8(ascii: "C")`.
    public var stage: UInt8
    /// The macros, in wire order.
    public var macros: [Macro]

    /// Creates a MACRO payload.
    public init(stage: UInt8, macros: [Macro] = []) {
        self.stage = stage
        self.macros = macros
    }

    /// Creates a MACRO payload for a command.
    public init(stage: MilterCommand.ID, macros: [Macro] = []) {
        self.init(stage: stage.rawValue, macros: macros)
    }
}

extension ByteBuffer {
    @usableFromInline
    mutating func readMacroDefinition() throws(MilterProtocolError) -> MacroDefinition {
        // The whole packet is read in one look at the buffer's storage: each look is a dynamic exclusivity check
        // in NIO, and reading the stage byte, each name and each value apart took seventeen for a packet of
        // Postfix's eight CONNECT macros.
        switch withUnsafeReadableBytes({ Self.parseMacroDefinition($0) }) {
        case .definition(let definition):
            moveReaderIndex(to: writerIndex)
            return definition
        case .noStage:
            throw MilterProtocolError(.malformedPayload, detail: "MACRO lacks its stage byte")
        case .nameWithoutValue:
            throw MilterProtocolError(.malformedPayload, detail: "MACRO has a name without a value")
        case .missingNUL(let offset):
            moveReaderIndex(forwardBy: offset)
            throw MilterProtocolError(.missingNUL, excerpt: Redaction.excerpt(self.readableBytesView))
        }
    }

    /// What a MACRO payload holds, or where it goes wrong.
    private enum MacroParse {
        case definition(MacroDefinition)
        case noStage
        case nameWithoutValue
        /// The string starting at this offset has no NUL.
        case missingNUL(Int)
    }

    private static func parseMacroDefinition(_ bytes: UnsafeRawBufferPointer) -> MacroParse {
        guard let stage = bytes.first else { return .noStage }
        // Pairs are read straight into the result: no intermediate array of strings. Its room is counted first
        // (a NUL ends each name and value), so that the array is allocated once, not grown one doubling at a
        // time: a CONNECT packet of Postfix's eight macros took four allocations.
        var macros: [MacroDefinition.Macro] = []
        macros.reserveCapacity(nulCount(bytes) / 2)
        var start = 1
        while start < bytes.count {
            guard let nameEnd = nul(in: bytes, from: start) else { return .missingNUL(start) }
            let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[start..<nameEnd])
            // One of ``KnownMacroNames``, shared, or a copy of an unknown one.
            let name = KnownMacroNames.name(nameBytes) ?? MilterString(bytes: [UInt8](nameBytes))
            let valueStart = nameEnd + 1
            guard valueStart < bytes.count else { return .nameWithoutValue }
            guard let valueEnd = nul(in: bytes, from: valueStart) else { return .missingNUL(valueStart) }
            let value = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd]))
            macros.append(.init(name: name, value: MilterString(bytes: value)))
            start = valueEnd + 1
        }
        return .definition(MacroDefinition(stage: stage, macros: macros))
    }

    /// How many NUL bytes `bytes` holds, found from one to the next as ``nul(in:from:)`` finds them.
    private static func nulCount(_ bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0
        var start = 0
        while let found = nul(in: bytes, from: start) {
            count += 1
            start = found + 1
        }
        return count
    }

    /// The offset of the first NUL of `bytes` at or after `start`, if any: `memchr`, where `firstIndex(of:)` went
    /// byte by byte (about a hundred instructions for a name or a value, and a packet's first sight on a connection
    /// looks at each twice).
    private static func nul(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count,
            let found = memchr(base + start, 0, bytes.count - start)
        else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    @usableFromInline
    mutating func writeMacroDefinition(_ definition: MacroDefinition) throws(MilterProtocolError) {
        // Room for the whole packet at once, not string by string.
        var size = 1
        for macro in definition.macros { size += macro.name.bytes.count + macro.value.bytes.count + 2 }
        reserveCapacity(minimumWritableBytes: size)
        writeInteger(definition.stage)
        for macro in definition.macros {
            try writeMilterString(macro.name)
            try writeMilterString(macro.value)
        }
    }
}
