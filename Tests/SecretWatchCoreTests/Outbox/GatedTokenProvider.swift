import Foundation
import Synchronization
import SecretWatchTesting
@testable import SecretWatchCore

/// A `TestTokenProvider` whose token requests wait until the test opens the gate: a delivery worker that has
/// claimed its messages stops right before sending, so the test can change the world (fill the disk) between
/// the claim and the send. Waiting is asynchronous (no thread is held).
final class GatedTokenProvider: TokenProvider {
    private struct State {
        var open = false
        var waiting: [CheckedContinuation<Void, Never>] = []
        var arrived = 0
    }
    private let inner: TestTokenProvider
    private let state = Mutex(State())

    init(_ inner: TestTokenProvider = TestTokenProvider()) {
        self.inner = inner
    }

    /// Token requests that reached the gate so far.
    var arrived: Int { state.withLock { $0.arrived } }
    var requests: Int { inner.requests }

    func open() {
        let waiting = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiting = [] }
            return s.waiting
        }
        waiting.forEach { $0.resume() }
    }

    func token(for credential: String) async throws -> AccessToken {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let passNow = state.withLock { s -> Bool in
                s.arrived += 1
                if s.open { return true }
                s.waiting.append(continuation)
                return false
            }
            if passNow { continuation.resume() }
        }
        return try await inner.token(for: credential)
    }

    func invalidate(credential: String, token: AccessToken) async {
        await inner.invalidate(credential: credential, token: token)
    }
}
