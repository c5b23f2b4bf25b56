import _MilterSystem

extension MilterCommandLine {
    /// Parses the arguments, runs the subcommand and exits with its status, from a synchronous entry
    /// point: what a milter executable's `main.swift` should call.
    ///
    /// ```swift
    /// // main.swift: no `await` here, so the main thread stays out of libdispatch
    /// import ReferenceMilterCLI
    ///
    /// MilterCommandLine.launch(MilterConfiguration(name: "my-milter", classifier: MyClassifier()))
    /// ```
    ///
    /// It does what ``main(_:arguments:)`` does, but on the concurrency runtime's threads while the
    /// process's main thread waits. An `async` top-level `main` hands the main thread to libdispatch
    /// (`dispatch_main`), whose cleanup for that thread opens an `eventfd` for the main queue and traps
    /// (signal 4) when it cannot: a daemon out of file descriptors could die of it. Nothing the command
    /// line runs uses the main queue or the main actor, so the waiting main thread is never needed.
    ///
    /// - Parameters:
    ///   - configuration: The milter's name, classifier and defaults.
    ///   - arguments: The arguments after the program's name.
    public static func launch(
        _ configuration: MilterConfiguration, arguments: [String] = Array(CommandLine.arguments.dropFirst())
    ) -> Never {
        CLIContext.configuration = configuration
        exit(SynchronousMain.run { await run(arguments: arguments) })
    }
}
