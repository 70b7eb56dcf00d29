import Foundation
import Synchronization

/// Opens `path` (a FIFO) for writing now and then, once `delay` has passed, until stopped: a reader blocked on
/// opening it gets a line and its end, so a test of code that wrongly blocks on a FIFO fails instead of hanging.
final class FIFOUnjammer: @unchecked Sendable {
    private let stopped = Mutex(false)

    init(_ path: String, delay: TimeInterval = 5) {
        DispatchQueue.global().async { [self] in
            let start = Date()
            while !stopped.withLock({ $0 }) {
                if Date().timeIntervalSince(start) > delay {
                    let fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
                    if fd >= 0 {
                        _ = write(fd, "fed-through-the-fifo\n", 21)
                        close(fd)
                    }
                }
                usleep(100_000)
            }
        }
    }

    func stop() { stopped.withLock { $0 = true } }
}
