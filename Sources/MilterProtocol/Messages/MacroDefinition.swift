import NIOCore

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
        guard let stage = readInteger(as: UInt8.self) else {
            throw MilterProtocolError(.malformedPayload, detail: "MACRO lacks its stage byte")
        }
        // Pairs are read straight into the result: no intermediate array of strings.
        var macros: [MacroDefinition.Macro] = []
        while readableBytes > 0 {
            let name = try readMilterString()
            guard readableBytes > 0 else {
                throw MilterProtocolError(.malformedPayload, detail: "MACRO has a name without a value")
            }
            macros.append(.init(name: name, value: try readMilterString()))
        }
        return MacroDefinition(stage: stage, macros: macros)
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
