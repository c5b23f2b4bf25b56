import MilterTestSupport
import Testing

/// The shell completions of the built `milter-replay` offer file names for its file arguments.
struct CompletionTests {
    @Test func fileArgumentsCompleteToFiles() async throws {
        let bash = try await ReplayBinary.run(["--generate-completion-script", "bash"]).check("bash completions").stdout
        for pattern in ["-fX '!*.@(eml)'", "-fX '!*.@(pcap|pcapng|cap)'", "-fX '!*.@(xml)'", "-fX '!*.@(pcapng)'"] {
            #expect(bash.contains(pattern), "\(pattern)")
        }
        let zsh = try await ReplayBinary.run(["--generate-completion-script", "zsh"]).check("zsh completions").stdout
        #expect(zsh.contains("--manifest[") && zsh.contains(":manifest:_files"), "\(zsh)")
        #expect(zsh.contains(":dir:_files -/"), "--export-eml completes to directories")
    }
}
