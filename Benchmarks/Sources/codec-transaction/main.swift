// Runs N codec transactions for instruction and malloc counting under callgrind (there are no
// hardware counters on these VMs). Benchmarks/codec-callgrind.sh runs it with N = 1 and N = 101
// and divides the difference by 100, so that start-up is excluded.
//   codec-transaction N [both|decode-commands|encode-commands|decode-replies|encode-replies]
import CodecWorkload
import MilterProtocol

let arguments = CommandLine.arguments
let count = arguments.count > 1 ? Int(arguments[1]) ?? 1 : 1
let mode = arguments.count > 2 ? arguments[2] : "both"
let workload = try CodecWorkload()
var mta = MilterEncoder(initialCapacity: 8192)
var milter = MilterEncoder(initialCapacity: 1024)
var total = 0
for _ in 0..<count {
    switch mode {
    case "decode-commands": total &+= try CodecWorkload.decodeCommands(workload.commandBytes).count
    case "encode-commands": total &+= try mta.encode(commands: workload.commands).readableBytes
    case "decode-replies": total &+= try CodecWorkload.decodeReplies(workload.replyBytes).count
    case "encode-replies": total &+= try milter.encode(replies: workload.replies).readableBytes
    default: total &+= try workload.runTransaction(mta: &mta, milter: &milter)
    }
}
print("\(count) × \(mode): \(workload.commands.count) commands, \(workload.replies.count) replies, \(total)")
