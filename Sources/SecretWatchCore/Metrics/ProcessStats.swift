import FoundationEssentials
import Glibc

/// The standard `process_*` values, read from /proc the way Prometheus client libraries do (Linux only; on
/// other systems every value is nil and the families stay empty).
struct ProcessStats: Sendable, Equatable {
    var cpuSeconds: Double?
    var residentBytes: Double?
    var virtualBytes: Double?
    var openFDs: Double?
    var maxFDs: Double?
    var startTime: Double?

    /// Boot time and clock ticks never change while we run: read once.
    private static let bootTime: Double? = {
        guard let text = readSmallFile("/proc/stat") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingSpaces)
        }
        return nil
    }()
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    private static let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))

    static func sample() -> ProcessStats {
        var stats = ProcessStats()
        if let stat = readSmallFile("/proc/self/stat"), let close = stat.lastIndex(of: ")") {
            // Fields after "pid (comm) ": state is field 3, so field n is at index n - 3.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            func field(_ n: Int) -> Double? { n - 3 < fields.count ? Double(fields[n - 3]) : nil }
            if let utime = field(14), let stime = field(15), ticksPerSecond > 0 {
                stats.cpuSeconds = (utime + stime) / ticksPerSecond
            }
            if let start = field(22), let boot = bootTime, ticksPerSecond > 0 {
                stats.startTime = boot + start / ticksPerSecond
            }
            stats.virtualBytes = field(23)
            stats.residentBytes = field(24).map { $0 * pageSize }
        }
        stats.openFDs = countOpenFDs()
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            stats.maxFDs = Double(limit.rlim_cur)
        }
        return stats
    }

    private static func countOpenFDs() -> Double? {
        guard let dir = opendir("/proc/self/fd") else { return nil }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDot { count += 1 }
        }
        // The directory stream's own descriptor is in the listing.
        return Double(max(0, count - 1))
    }

    /// Reads a /proc file (their size is 0 to stat, so read until EOF), at most 64 KiB.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while total < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + total, $0.count - total) }
            if n <= 0 { break }
            total += n
        }
        return String(decoding: buffer[0..<total], as: UTF8.self)
    }
}
