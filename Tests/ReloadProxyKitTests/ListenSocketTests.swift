import Foundation
import ReferenceMilter
import ReloadProxyKit
import Testing

/// The proxy's own unix socket: mode 0660 from the start, a symbolic link refused and kept.
@Suite struct ListenSocketTests {
    static func scratchPath(_ label: String) -> String {
        NSTemporaryDirectory() + "\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    @Test func theSocketIs0660WhateverTheUmask() throws {
        let path = Self.scratchPath("proxy-mode")
        let previous = umask(0)
        defer { umask(previous) }
        let fd = try ListenSocket.bind(.unix(path: path))
        defer {
            close(fd)
            unlink(path)
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.posixPermissions] as? Int == 0o660)
    }

    @Test func aSymbolicLinkIsRefusedAndKept() throws {
        let path = Self.scratchPath("proxy-link")
        #expect(symlink("/nonexistent-target", path) == 0)
        defer { unlink(path) }
        #expect {
            try ListenSocket.bind(.unix(path: path))
        } throws: { error in
            "\(error)".contains("is a symbolic link")
        }
        var info = stat()
        #expect(lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK)
    }
}
