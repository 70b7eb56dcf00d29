import Glibc

/// Text written straight to the process's standard output or error (file descriptors 1 and 2), unbuffered, as
/// Foundation's `FileHandle.standardOutput.write` did: each call's bytes are written whole before it returns.
public enum StandardStream: Int32, Sendable {
    case output = 1
    case error = 2

    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(rawValue, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
        bytes.removeAll()
    }
}
