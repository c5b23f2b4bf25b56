// The checks and option groups milter-replay shares with the milter binaries (NumericOption...), visible in
// every file of this target.
@_exported import _MilterCommandLine
