import Dispatch

/// How work runs in this process: blocking calls off the cooperative pool, freed memory back to the system.

/// Runs blocking work (libcurl transfers) on Dispatch threads, never on Swift's small cooperative pool, and
/// resumes the awaiting task when it is done.
public enum BlockingExecutor {
    private static let queue = DispatchQueue(label: "secretwatch.blocking", qos: .utility, attributes: .concurrent)

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}

/// glibc's `malloc_trim`, which the Glibc module does not export: returns freed heap pages to the system.
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32

enum MemoryRelease {
    static func returnFreedMemory() {
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
    }
}
