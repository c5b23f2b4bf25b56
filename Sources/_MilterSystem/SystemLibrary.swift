// The C library of the platform, imported once for every target that makes system calls: a file that imports
// _MilterSystem sees `errno`, `open`, `stat`, `isatty`… without its own `#if canImport` block.
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
#endif
