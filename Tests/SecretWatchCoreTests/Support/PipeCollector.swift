import Foundation
@testable import SecretWatchCore

/// Everything a child writes into a pipe, read as it comes on a Dispatch thread of its own (so a chatty child never
/// blocks on a full pipe), and handed over at end-of-file — or, when end-of-file does not come within a bound after
/// the child exited, what was written until then. End-of-file waits for every write end to close, and a copy of the
/// write end may live on in another process (a grandchild, or a child spawned meanwhile outside `Spawn.exclusively`)
/// for as long as that process does.
final class PipeCollector: @unchecked Sendable {
    // `@unchecked Sendable`: `data` and every read of the descriptor happen under `lock`.
    /// How long a child that has exited gets for its output to reach end-of-file.
    static let afterExit: TimeInterval = 5

    private let handle: FileHandle
    private let lock = NSLock()
    private var data = Data()
    private let finished = DispatchGroup()

    init(_ handle: FileHandle) {
        self.handle = handle
        finished.enter()
        DispatchQueue(label: "secretwatch.tests.pipe-collector").async { [self] in
            while true {
                // Wait outside the lock until there is something to read (or end-of-file), then read under it.
                var ready = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
                if poll(&ready, 1, -1) < 0 && errno == EINTR { continue }
                if lock.withLock({ drain() }) { break }
            }
            finished.leave()
        }
    }

    /// What arrived: everything, once end-of-file came within `seconds`; otherwise what was written until now.
    /// Blocks: call it on a Dispatch thread, or use `text(waitingAtMost:)`.
    func collected(waitingAtMost seconds: TimeInterval = PipeCollector.afterExit) -> Data {
        _ = finished.wait(timeout: .now() + seconds)
        return lock.withLock {
            _ = drain()
            return data
        }
    }

    /// `collected(waitingAtMost:)` as text, waited for on a Dispatch thread.
    func text(waitingAtMost seconds: TimeInterval = PipeCollector.afterExit) async -> String {
        await BlockingExecutor.run { String(decoding: self.collected(waitingAtMost: seconds), as: UTF8.self) }
    }

    /// Reads what can be read without blocking; true at end-of-file (or a read error). Called with `lock` held.
    private func drain() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            var ready = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            let polled = poll(&ready, 1, 0)
            if polled < 0 && errno == EINTR { continue }
            guard polled > 0 else { return polled < 0 }
            let count = chunk.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return true }
            data.append(contentsOf: chunk.prefix(count))
        }
    }
}
