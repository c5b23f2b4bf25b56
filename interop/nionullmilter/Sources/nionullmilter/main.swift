// nionullmilter [--nr] [--event-loops N] PORT: listens on 127.0.0.1:PORT and answers as
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

var arguments = Array(CommandLine.arguments.dropFirst())
var noReplies = false
var eventLoops = 1
var readSize: Int?
var port: Int?
while let argument = arguments.first {
    arguments.removeFirst()
    switch argument {
    case "--nr": noReplies = true
    case "--event-loops":
        guard let text = arguments.first, let count = Int(text), (1...256).contains(count) else {
            port = nil
            arguments = []
            break
        }
        arguments.removeFirst()
        eventLoops = count
    case "--read-size":
        guard let text = arguments.first, let size = Int(text), (64...(1 << 24)).contains(size) else {
            port = nil
            arguments = []
            break
        }
        arguments.removeFirst()
        readSize = size
    default: port = Int(argument)
    }
}
guard let port, (1...65535).contains(port) else {
    print("usage: nionullmilter [--nr] [--event-loops N] [--read-size BYTES] PORT")
    exit(2)
}

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
let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
print("nionullmilter: listening on 127.0.0.1:\(port)\(noReplies ? " (NR on every stage)" : "")")
fflush(nil)  // every stream: standard output may be a pipe
try await channel.closeFuture.get()
