import Dispatch
import Foundation
import Synchronization
import Testing
@testable import SecretWatchCore

/// The child processes the demo starts (`secretwatch-standins`): output through a pipe, exit status, SIGTERM,
/// and nothing of the parent's inherited that would keep another child waiting.
@Suite("Child processes")
struct ChildProcessTests {
    @Test func theOutputAndTheExitCodeArrive() async throws {
        let (output, termination) = try await BlockingExecutor.run {
            let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "echo one; echo two; exit 3"])
            return (String(decoding: child.readToEnd(), as: UTF8.self), child.wait())
        }
        #expect(output == "one\ntwo\n")
        #expect(termination == .exited(3))
    }

    @Test func aMissingExecutableIsAnErrorNamingIt() {
        #expect {
            try ChildProcess(executable: "/nonexistent/secretwatch-standins", arguments: [])
        } throws: { error in
            "\(error)".contains("/nonexistent/secretwatch-standins")
        }
    }

    /// A descriptor the parent opened without close-on-exec (here the write end of a pipe) is not the child's:
    /// had it been inherited, whoever reads that pipe would wait for end-of-file as long as the child lives.
    @Test func theChildGetsOnlyTheThreeStandardDescriptors() async throws {
        var leaked: [Int32] = [-1, -1]
        try #require(pipe(&leaked) == 0)
        defer { close(leaked[0]); close(leaked[1]) }
        let listing = try await BlockingExecutor.run {
            let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "ls /proc/$$/fd; true"])
            defer { child.wait() }
            return String(decoding: child.readToEnd(), as: UTF8.self)
        }
        #expect(listing.split(separator: "\n") == ["0", "1", "2"], "the child holds \(listing)")
    }

    /// Descriptors other threads open while the child is being spawned (here pipes without close-on-exec, opened
    /// and closed in a loop) are not the child's either: closing a list read beforehand would miss them.
    @Test func descriptorsOpenedWhileSpawningAreNotInherited() async throws {
        let stop = Atomic<Bool>(false)
        let opener = Thread {
            var fds: [Int32] = [-1, -1]
            while !stop.load(ordering: .relaxed) {
                if pipe(&fds) == 0 { close(fds[0]); close(fds[1]) }
            }
        }
        opener.start()
        defer { stop.store(true, ordering: .relaxed) }
        let listings = try await BlockingExecutor.run {
            try (0..<200).map { _ in
                let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "ls /proc/$$/fd; true"])
                defer { child.wait() }
                return String(decoding: child.readToEnd(), as: UTF8.self)
            }
        }
        let leaking = listings.filter { $0.split(separator: "\n") != ["0", "1", "2"] }
        #expect(leaking.isEmpty, "\(leaking.count) of 200 children held more: \(leaking.prefix(3))")
    }

    /// Started from a Dispatch thread (which blocks most signals), the child still ends on SIGTERM: its signal
    /// mask and dispositions are reset.
    @Test func sigtermEndsAChildStartedFromADispatchThread() async throws {
        let termination = try await BlockingExecutor.run { () throws -> ChildProcess.Termination? in
            let child = try DispatchQueue(label: "spawn").sync { try ChildProcess(executable: "/bin/sleep", arguments: ["600"]) }
            #expect(child.isRunning)
            child.terminate()
            // Bounded: a child that ignores SIGTERM is killed and the test fails instead of hanging.
            let deadline = Date().addingTimeInterval(30)
            while child.isRunning && Date() < deadline { usleep(20_000) }
            if child.isRunning {
                kill(child.pid, SIGKILL)
                child.wait()
                return nil
            }
            return child.wait()
        }
        #expect(termination == .signalled(SIGTERM))
    }
}
