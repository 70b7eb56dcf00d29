import Glibc
import Synchronization

/// A child process (posix_spawn): its standard output into a pipe the parent reads, standard error shared with
/// the parent, standard input from /dev/null; its own process group, signal dispositions and mask reset to the
/// defaults, no other descriptor of the parent's.
final class ChildProcess: Sendable {
    enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
    }

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    let pid: pid_t
    /// The read end of the child's standard output.
    private let output: Int32
    /// The exit status once reaped (reaping and signalling happen with it locked, so a signal never reaches a
    /// process that merely reused the child's pid).
    private let reaped = Mutex<Termination?>(nil)

    init(executable: String, arguments: [String]) throws(SpawnError) {
        var pipe: [Int32] = [-1, -1]
        // Close-on-exec from the start (pipe2): neither end reaches a child another thread spawns meanwhile; this
        // child gets the write end as its descriptor 1.
        guard let makePipe = Self.pipeWithFlags, makePipe(&pipe, O_CLOEXEC) == 0 else { throw SpawnError(description: "cannot make a pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        // Every other descriptor is closed in the child, as Foundation's Process does: an inherited write end of
        // another child's pipe would keep that child from ever reading end-of-file. closefrom runs in the child, so
        // it also closes what other threads open while this one spawns (a list read beforehand would miss those).
        guard let closeFrom = Self.closeFrom, closeFrom(&actions, 3) == 0 else {
            close(pipe[0]); close(pipe[1])
            throw SpawnError(description: "cannot start \(executable): this C library has no posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later is needed)")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var most = sigset_t()
        sigfillset(&most)
        sigdelset(&most, SIGKILL)
        sigdelset(&most, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &most)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        close(pipe[1])
        guard rc == 0 else {
            close(pipe[0])
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        pid = child
        output = pipe[0]
    }

    deinit { close(output) }

    /// The next bytes the child writes (blocks until there are some); empty once it closed its output.
    func read() -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(output, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            return n > 0 ? Array(chunk.prefix(n)) : []
        }
    }

    /// Everything the child writes until it closes its output.
    func readToEnd() -> [UInt8] {
        var all: [UInt8] = []
        while case let chunk = read(), !chunk.isEmpty { all += chunk }
        return all
    }

    var isRunning: Bool {
        reaped.withLock { state in
            if state == nil { state = Self.reap(pid, blocking: false) }
            return state == nil
        }
    }

    /// SIGTERM, unless the child has already been reaped.
    func terminate() {
        reaped.withLock { state in
            if state == nil { kill(pid, SIGTERM) }
        }
    }

    /// Waits for the child to end (blocks) and reaps it.
    @discardableResult
    func wait() -> Termination {
        // Wait without reaping, so that the pid stays the child's until `reaped` says it is gone.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        return reaped.withLock { state in
            if state == nil { state = Self.reap(pid, blocking: true) }
            return state ?? .exited(-1)
        }
    }

    /// glibc's `pipe2` (a GNU extension the Glibc module does not declare), looked up once.
    private static let pipeWithFlags: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
    }()

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which the Glibc module does not
    /// declare (it is a GNU extension), looked up once.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    private static func reap(_ pid: pid_t, blocking: Bool) -> Termination? {
        var status: Int32 = 0
        var rc: pid_t
        repeat { rc = waitpid(pid, &status, blocking ? 0 : WNOHANG) } while rc < 0 && errno == EINTR
        guard rc == pid else { return rc < 0 ? .exited(-1) : nil }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        return status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signalled(status & 0x7F)
    }
}
