import Foundation
import Testing
@testable import SecretWatchCore

/// The tests' `sd_notify` receiver: a socket whose path is taken fails naming it, and leaves the socket that
/// holds the path bound and receiving.
@Suite("Test notify socket")
struct NotifySocketTests {
    @Test func aTakenPathIsAnErrorAndTheHolderKeepsIt() throws {
        let holder = try NotifySocket()
        #expect(throws: (any Error).self) { _ = try NotifySocket(path: holder.address) }
        var status = stat()
        #expect(stat(holder.address, &status) == 0, "the holder's socket file was unlinked by the socket that failed")
        #expect(fcntl(holder.fd, F_GETFD) >= 0)
    }
}
