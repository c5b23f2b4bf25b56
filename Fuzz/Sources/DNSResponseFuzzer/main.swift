// Feeds arbitrary bytes to the DNS response parser and reads every parsed value, so that a trap,
// an out-of-bounds read or a hang in name decompression is found.
import FuzzDriver
import MilterDNS

func exercise(_ bytes: [UInt8]) {
    do {
        let response = try DNSResponse(parsing: bytes)
        _ = (response.isTruncated, response.responseCode.description)
        for record in response.answers + response.authorities + response.additionals {
            _ = (record.name, record.type.description, record.data)
        }
        if let question = response.questions.first {
            _ = response.answers(DNSQuery(id: response.id, question: question))
        }
    } catch {
        _ = error.description
    }
}

runFuzzer(exercise)
