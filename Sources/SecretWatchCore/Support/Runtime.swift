import Dispatch

/// How work runs in this process: blocking calls off the cooperative pool.

/// Runs blocking work (libcurl transfers) on Dispatch threads, never on Swift's small cooperative pool, and
/// resumes the awaiting task when it is done.
///
/// Each call gets a serial queue of its own. A serial queue runs on Dispatch's overcommitting pool, which gives
/// it a thread at once; a concurrent queue runs on the pool sized to the cores, which on Linux adds a thread only
/// every so often while its threads block. With 2 cores, two slow transfers (an SMTP server that trickles, a token
/// endpoint that times out) would otherwise hold back every other send, token request and Graph page.
public enum BlockingExecutor {
    private static func queue() -> DispatchQueue {
        DispatchQueue(label: "secretwatch.blocking", qos: .utility)
    }

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue().async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue().async { continuation.resume(returning: body()) }
        }
    }
}
