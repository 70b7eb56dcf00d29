import Foundation
@testable import SecretWatchCore

/// Starting and ending the tests' Foundation `Process` children so that no wait for one of them can hang.
///
/// On Linux, Foundation learns that a child exited from a socketpair: the child holds one end, and the callback
/// that reaps it and clears `isRunning` fires only once every copy of that end is closed. Foundation closes the
/// parent's other descriptors in the child from a list made before spawning, so a descriptor another thread
/// creates meanwhile (another `run()`'s socketpair, a fresh `Pipe()`) reaches the child being spawned. A child that
/// inherited another child's socket end keeps `isRunning` (and `waitUntilExit()`) of that other child true until
/// it exits itself; an inherited pipe write end keeps that pipe's reader from end-of-file as long.
///
/// Hence: every test creates its child's pipes and calls `run()` under one process-wide lock (`Spawn.exclusively`,
/// `Process.runExclusively`); "has it exited" is asked of the kernel too (`hasEnded`); and a stop path ends a child
/// with a bounded `end(grace:)` instead of `waitUntilExit()`.
enum Spawn {
    private static let lock = NSLock()

    /// Runs `body`, which creates a child's pipes and calls its `run()`, while no other test does the same: then
    /// nothing one spawn creates can leak into another's child.
    static func exclusively<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock(body)
    }
}

/// How a child ended, as Foundation reports it.
enum ProcessEnding: Equatable, Sendable, CustomStringConvertible {
    case exit(Int32)
    case signal(Int32)

    /// Foundation's `terminationStatus`: the exit status, or the number of the signal.
    var status: Int32 {
        switch self {
        case .exit(let status), .signal(let status): status
        }
    }

    var isSignal: Bool { if case .signal = self { true } else { false } }

    var description: String {
        switch self {
        case .exit(let status): "exit status \(status)"
        case .signal(let signal): "signal \(signal)"
        }
    }
}

extension Process {
    /// `run()` under the spawn lock.
    func runExclusively() throws {
        try Spawn.exclusively { try run() }
    }

    /// `prepare` (which makes and attaches the child's pipes) and `run()`, both under the spawn lock; returns what
    /// `prepare` returned (the pipes).
    func runExclusively<T>(_ prepare: () throws -> T) throws -> T {
        try Spawn.exclusively {
            let prepared = try prepare()
            try run()
            return prepared
        }
    }

    /// The child has exited: Foundation says so, or the kernel does (its /proc entry is a zombie or gone), which
    /// also holds while Foundation's socket end is open in some other process. A child never started counts as
    /// ended.
    var hasEnded: Bool {
        guard isRunning else { return true }
        return Self.hasEnded(pid: processIdentifier)
    }

    /// Ends the child, bounded: SIGTERM, up to `grace` seconds for it to exit, then SIGKILL and a short wait for
    /// the kernel to see it exited. Never calls `waitUntilExit()`, which may wait for as long as another process
    /// holds a copy of this child's socket end: for `defer`, `deinit` and other synchronous stop paths, where it
    /// holds the calling thread (possibly a cooperative one) for `grace` seconds and a moment after SIGKILL at most.
    /// Returns whether the child has ended.
    @discardableResult
    func end(grace: TimeInterval = 5) -> Bool {
        if hasEnded { return true }
        kill(processIdentifier, SIGTERM)
        if waitForEnd(seconds: grace) { return true }
        kill(processIdentifier, SIGKILL)
        // A killed process is a zombie at once unless stuck in the kernel; this bound only keeps that case finite.
        return waitForEnd(seconds: 5)
    }

    /// Waits until Foundation has seen the exit and returns how the child ended; only on a Dispatch thread
    /// (BlockingExecutor), never a cooperative one. Bounded by `timeout`: past it a child still running is ended
    /// (`end(grace:)`), and either way this throws, naming the child and what happened.
    func waitForEnding(within timeout: TimeInterval = Patience.seconds) throws -> ProcessEnding {
        let deadline = Date().addingTimeInterval(timeout)
        // The same wait as waitUntilExit(), with a bound.
        while isRunning && Date() < deadline { usleep(10_000) }
        guard !isRunning else {
            if hasEnded {
                throw TestFailure("\(commandLine) (pid \(processIdentifier)) exited, but Foundation had not seen it after \(Int(timeout)) s: "
                                  + "another process holds a copy of its socket end (a child spawned outside Spawn.exclusively?)")
            }
            end(grace: 5)
            throw TestFailure("\(commandLine) (pid \(processIdentifier)) did not finish within \(Int(timeout)) s (now ended: SIGTERM, SIGKILL after 5 s)")
        }
        waitUntilExit() // returns at once now; releases Foundation's run-loop state for the child
        return terminationReason == .exit ? .exit(terminationStatus) : .signal(terminationStatus)
    }

    /// `waitForEnding(within:)` on a Dispatch thread, for async tests that need the exit status.
    func ending(within timeout: TimeInterval = Patience.seconds) async throws -> ProcessEnding {
        try await BlockingExecutor.run { try self.waitForEnding(within: timeout) }
    }

    /// Ends the child (`end(grace:)`) and says how it ended, given a moment for Foundation to report the status:
    /// for the error a test throws when a child stopped early. Blocks as `end(grace:)` does, and 2 s more at most.
    func endAndDescribe(grace: TimeInterval = 5) -> String {
        end(grace: grace)
        let deadline = Date().addingTimeInterval(2)
        while isRunning && Date() < deadline { usleep(10_000) }
        return endingDescription
    }

    /// How the child ended, for messages: usable whatever Foundation knows (`terminationStatus` traps while
    /// `isRunning` is true).
    var endingDescription: String {
        if !isRunning {
            return processIdentifier > 0 ? (terminationReason == .exit ? "exit status \(terminationStatus)" : "signal \(terminationStatus)") : "never started"
        }
        return hasEnded ? "exited, not yet reaped" : "running"
    }

    private var commandLine: String {
        ([executableURL?.path ?? "?"] + (arguments ?? [])).joined(separator: " ")
    }

    private func waitForEnd(seconds: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !hasEnded {
            guard Date() < deadline else { return false }
            usleep(10_000)
        }
        return true
    }

    /// /proc/<pid>/stat's state is Z (zombie) or X (dead), or the entry is gone. The state follows the command
    /// name in parentheses, which may itself hold spaces and parentheses: it is the field after the last ")".
    static func hasEnded(pid: Int32) -> Bool {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return errno == ENOENT || errno == ESRCH }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return count == 0 || errno == ESRCH }
        let line = buffer.prefix(count)
        guard let name = line.lastIndex(of: UInt8(ascii: ")")), name + 2 < line.endIndex else { return false }
        let state = line[name + 2]
        return state == UInt8(ascii: "Z") || state == UInt8(ascii: "X")
    }
}
