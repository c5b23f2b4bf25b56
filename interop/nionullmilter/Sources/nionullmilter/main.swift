// nionullmilter [--nr] [--event-loops N] [--read-size BYTES] PORT: listens on 127.0.0.1:PORT and answers as
// interop/nullmilter does (see NullMilterHandler), on SwiftNIO: N event loops (default 1, as the
// C null milter's one thread), TCP_NODELAY set once on the listening socket (accepted sockets
// inherit it; NIO's default for a server), the read buffer NIO's adaptive default. It prints
// "nionullmilter: listening on 127.0.0.1:PORT" once the socket is open.
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Writes `text` and a newline to standard error.
func printError(_ text: String) {
    let line = text + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}

/// A usage error: says why and how, and exits 2.
func usage(_ reason: String) -> Never {
    printError("nionullmilter: \(reason)")
    printError("usage: nionullmilter [--nr] [--event-loops 1-256] [--read-size 64-16777216] PORT")
    exit(2)
}

/// The value after `option`, a whole number in `range`.
func number(after option: String, in range: ClosedRange<Int>, from arguments: inout ArraySlice<String>) -> Int {
    guard let text = arguments.popFirst() else { usage("\(option) needs a value") }
    guard let value = Int(text), range.contains(value) else {
        usage("\(option) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(text)")
    }
    return value
}

var arguments = CommandLine.arguments.dropFirst()
var noReplies = false
var eventLoops = 1
var readSize: Int?
var port: Int?
while let argument = arguments.popFirst() {
    switch argument {
    case "--nr": noReplies = true
    case "--event-loops": eventLoops = number(after: argument, in: 1...256, from: &arguments)
    case "--read-size": readSize = number(after: argument, in: 64...(1 << 24), from: &arguments)
    default:
        guard port == nil, !argument.hasPrefix("-") else { usage("unexpected argument \(argument)") }
        guard let value = Int(argument), (1...65535).contains(value) else {
            usage("PORT must be a whole number from 1 to 65535, not \(argument)")
        }
        port = value
    }
}
guard let port else { usage("no PORT") }

let answerNoStage = noReplies
let group = MultiThreadedEventLoopGroup(numberOfThreads: eventLoops)
var bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .serverChannelOption(.tcpOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
                NullMilterHandler(noReplies: answerNoStage, allocator: channel.allocator))
        }
    }
if let readSize {
    bootstrap = bootstrap.childChannelOption(
        .recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: readSize))
}
let channel: any Channel
do {
    channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
} catch {
    printError("nionullmilter: cannot listen on 127.0.0.1:\(port): \(error)")
    exit(1)
}
print("nionullmilter: listening on 127.0.0.1:\(port)\(noReplies ? " (NR on every stage)" : "")")
fflush(nil)  // every stream: standard output may be a pipe
try await channel.closeFuture.get()
