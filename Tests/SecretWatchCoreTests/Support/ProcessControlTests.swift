import Foundation
import Synchronization
import Testing
@testable import SecretWatchCore

/// The tests' own control of Foundation `Process` children: ending one is bounded even when it ignores SIGTERM or
/// when Foundation has not seen it exit, no spawn inherits a pipe another made under the spawn lock, and running a
/// program to completion does not wait for a process it left behind holding its output.
@Suite("Process control for the tests' children")
struct ProcessControlTests {
    /// A child that ignores SIGTERM is killed once the grace has passed, and `end(grace:)` returns.
    @Test func endKillsAChildThatIgnoresSIGTERM() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", #"trap "" TERM; echo ready; exec sleep 600"#]
        process.standardInput = FileHandle.nullDevice
        let output = try process.runExclusively { () -> Pipe in
            let output = Pipe()
            process.standardOutput = output
            return output
        }
        defer { if !process.hasEnded { kill(process.processIdentifier, SIGKILL) } }
        // Only once the trap is set does SIGTERM find nothing to end.
        #expect(await StandInsExecutableTests.firstLine(of: output.fileHandleForReading) == "ready")

        let (ended, seconds) = await BlockingExecutor.run { () -> (Bool, TimeInterval) in
            let start = Date()
            return (process.end(grace: 1), Date().timeIntervalSince(start))
        }
        #expect(ended)
        #expect(process.hasEnded)
        // A bound for failure (a hang), not a timing assertion: the grace is 1 s.
        #expect(seconds < 60, "end(grace: 1) held the thread \(seconds) s")
        #expect(try await process.ending() == .signal(SIGKILL))
    }

    /// A child whose background grandchild inherited Foundation's socket end has exited, but Foundation cannot see
    /// it while the grandchild lives: `hasEnded` (asking /proc) is true although `isRunning` still is too, and
    /// `end(grace:)` returns at once instead of waiting for Foundation.
    @Test func hasEndedSeesAnExitFoundationCannotSee() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "sleep 600 & echo $!"]
        process.standardInput = FileHandle.nullDevice
        let output = try process.runExclusively { () -> Pipe in
            let output = Pipe()
            process.standardOutput = output
            return output
        }
        let line = await StandInsExecutableTests.firstLine(of: output.fileHandleForReading)
        let grandchild = try #require(line.flatMap { Int32($0) }, "no pid from the shell: \(line ?? "nothing")")
        defer { kill(grandchild, SIGKILL) }

        let deadline = Patience.deadline
        while !process.hasEnded && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(process.hasEnded, "the shell (pid \(process.processIdentifier)) was not seen to exit")
        #expect(process.isRunning, "Foundation saw the exit: the grandchild did not keep the socket end")
        #expect(await BlockingExecutor.run { process.end(grace: 1) })

        kill(grandchild, SIGKILL)
        #expect(try await process.ending() == .exit(0))
    }

    /// While another thread keeps making pipes under the spawn lock (as every test's spawn does), children spawned
    /// under it hold none of those pipes: each is made either before the spawn's list of descriptors to close, or
    /// after the spawn.
    @Test func aChildSpawnedUnderTheLockHoldsNoPipeMadeUnderIt() async throws {
        let made = Mutex<Set<UInt64>>([])
        let stop = Atomic<Bool>(false)
        let maker = Thread {
            // Pipe ends numbered above every other descriptor (as fresh ones are in a busy test process), each made
            // under the lock and closed outside it once the next one is made: without the lock, one made after a
            // spawn listed the descriptors to close would be the child's.
            var previous: Int32 = -1
            while !stop.load(ordering: .relaxed) {
                let high = Spawn.exclusively { () -> Int32 in
                    let pipe = Pipe()
                    let high = fcntl(pipe.fileHandleForWriting.fileDescriptor, F_DUPFD, 1000)
                    var status = stat()
                    if high >= 0, fstat(high, &status) == 0 {
                        made.withLock { _ = $0.insert(UInt64(status.st_ino)) }
                    }
                    return high
                }
                if previous >= 0 { close(previous) }
                previous = high
                usleep(100) // lets other tests' spawns have the lock
            }
            if previous >= 0 { close(previous) }
        }
        maker.start()
        defer { stop.store(true, ordering: .relaxed) }

        let listings = try await BlockingExecutor.run {
            try (0..<100).map { _ -> String in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", "ls -l /proc/$$/fd"]
                process.standardInput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                let output = try process.runExclusively { () -> Pipe in
                    let output = Pipe()
                    process.standardOutput = output
                    return output
                }
                let collected = PipeCollector(output.fileHandleForReading)
                _ = try process.waitForEnding(within: Patience.seconds)
                return String(decoding: collected.collected(), as: UTF8.self)
            }
        }
        stop.store(true, ordering: .relaxed)
        let inodes = made.withLock { $0 }
        #expect(inodes.count > 0, "the maker thread made no pipe")
        let leaking = listings.filter { listing in Self.pipeInodes(in: listing).contains { inodes.contains($0) } }
        #expect(leaking.isEmpty, "\(leaking.count) of \(listings.count) children held a pipe made meanwhile: \(leaking.prefix(2))")
    }

    /// A program that leaves a process behind holding its output: `runProgram` returns the output and status once
    /// the program has exited, while that process still runs.
    @Test func runProgramReturnsWhileAProcessLeftBehindHoldsItsOutput() async throws {
        let result = try await runProgram("/usr/bin/python3", ["-c", Self.leaveSleepBehind])
        let grandchild = try #require(Int32(result.output.split(separator: "\n").first ?? ""), "\(result.output)")
        defer { kill(grandchild, SIGKILL) }
        #expect(result.status == 0)
        #expect(result.output.hasSuffix("\ndone\n"), "\(result.output)")
        #expect(!Process.hasEnded(pid: grandchild), "the process left behind had ended: the output was read to end-of-file")
    }

    /// The same for `runProcess`, which reads standard output and standard error apart.
    @Test func runProcessReturnsWhileAProcessLeftBehindHoldsItsOutput() async throws {
        let result = try await runProcess("/usr/bin/python3", ["-c", Self.leaveSleepBehind + "\nprint('warned', file=sys.stderr)"])
        let grandchild = try #require(Int32(result.stdout.split(separator: "\n").first ?? ""), "\(result.stdout)")
        defer { kill(grandchild, SIGKILL) }
        #expect(result.status == 0 && !result.signalled)
        #expect(result.stdout.hasSuffix("\ndone\n"), "\(result.stdout)")
        #expect(result.stderr == "warned\n")
        #expect(!Process.hasEnded(pid: grandchild), "the process left behind had ended: the output was read to end-of-file")
    }

    /// Starts `sleep 600` with nothing but standard input, output and error (Python closes the rest), so it holds
    /// the output pipes but not Foundation's socket end; prints its pid, then "done", and exits.
    static let leaveSleepBehind = """
        import subprocess, sys
        sleeper = subprocess.Popen(["/bin/sleep", "600"])
        print(sleeper.pid)
        print("done", flush=True)
        """

    /// The inode numbers of the pipes in an `ls -l /proc/PID/fd` listing ("... -> pipe:[12345]").
    static func pipeInodes(in listing: String) -> [UInt64] {
        listing.split(separator: "\n").compactMap { line in
            guard let start = line.range(of: "pipe:[")?.upperBound, let end = line[start...].firstIndex(of: "]") else { return nil }
            return UInt64(line[start..<end])
        }
    }
}
