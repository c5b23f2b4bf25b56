// pcap-generate FILE MEGABYTES: writes the synthetic Postfix-like capture of CaptureWorkload (used by
// scripts/pcap-dump-vs-tcpdump.sh).
import CaptureWorkload

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3, let megabytes = Int(arguments[2]), megabytes > 0 else {
    print("usage: pcap-generate FILE MEGABYTES")
    exit(2)
}
do {
    let written = try CaptureWorkload.write(to: arguments[1], megabytes: megabytes)
    print("\(written.sessions) sessions, \(written.bytes) bytes")
} catch {
    print("pcap-generate: \(error)")
    exit(1)
}
