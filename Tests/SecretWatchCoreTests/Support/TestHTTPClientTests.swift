import Foundation
import Synchronization
import Testing
import SecretWatchStandIns
@testable import SecretWatchCore

/// The tests' HTTP client: a connection that fails closes its socket once. Closed twice, the second close hits
/// whatever another thread opened under the same number meanwhile (a pipe about to become a child's output, a
/// socket of another test), which then fails far from here with "Bad file descriptor".
@Suite("Test HTTP client")
struct TestHTTPClientTests {
    @Test func aRefusedConnectionClosesItsSocketOnlyOnce() async throws {
        let refusing = try RefusingPort()
        let stop = Atomic<Bool>(false)
        let stolen = Atomic<Int>(0)
        // Another thread opens pipes in a loop and checks each is still open before closing it itself.
        let opener = Thread {
            var fds: [Int32] = [-1, -1]
            while !stop.load(ordering: .relaxed) {
                guard pipe(&fds) == 0 else { continue }
                for _ in 0..<50 { sched_yield() }
                for fd in fds where fcntl(fd, F_GETFD) < 0 { stolen.add(1, ordering: .relaxed) }
                close(fds[0]); close(fds[1])
            }
        }
        opener.start()
        defer { stop.store(true, ordering: .relaxed) }
        let refused = try await BlockingExecutor.run {
            (0..<5_000).filter { _ in (try? TestConnection(port: refusing.port)) == nil }.count
        }
        #expect(refused == 5_000)
        #expect(stolen.load(ordering: .relaxed) == 0, "descriptors of another thread closed by a refused connection")
    }
}
