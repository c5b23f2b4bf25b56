// The record proxy's packet synthesis (CaptureRecorder, PacketSynthesizer) with endpoints of any
// address families and chunks of any sizes taken from the input: the pcapng it writes must read
// back with our reader, every packet must decode as TCP, and the payloads must add up to what
// was recorded, direction by direction.
import FuzzDriver

runFuzzer { input in
    if let problem = recordSynthesisProblem(input) { fatalError(problem) }
}
