import Foundation
import Testing

/// A real, small file system that can be filled to the last byte: a tmpfs of `size` mounted on a fresh
/// directory (root only, which the tests and CI are). `fill()` writes a filler file until the kernel answers
/// ENOSPC, `free()` empties and removes it, `unmount()` (or deinit) detaches the volume and removes the directory.
///
/// When mounting is not permitted the tests that need it are skipped, and say so on standard error and in
/// their skip comment: a silent skip would hide the disk-full behaviour going untested.
final class SmallVolume: @unchecked Sendable {
    let directory: URL
    private var filler: URL { directory.appendingPathComponent("filler") }
    private var mounted = true

    /// Whether this process may mount a tmpfs (checked once with a tiny trial mount).
    static let mountPermitted: Bool = {
        do {
            try SmallVolume(size: "64k").unmount()
            return true
        } catch {
            FileHandle.standardError.write(Data("""
                *** WARNING: cannot mount a tmpfs (\(error)); the disk-full tests are SKIPPED.
                *** Run the tests as root (CI does) to exercise them.

                """.utf8))
            return false
        }
    }()

    static let skipReason: Comment = "mounting a tmpfs needs root: the disk-full tests are SKIPPED (see the warning on stderr)"

    /// Mounts a tmpfs of `size` (mount(8) syntax: "4m", "512k").
    init(size: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("secretwatch-volume-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard mount("tmpfs", directory.path, "tmpfs", 0, "size=\(size),mode=0700") == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: directory)
            throw TestFailure("mount -t tmpfs -o size=\(size) on \(directory.path): \(reason)")
        }
    }

    deinit { try? unmount() }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes the filler file until the volume is full (ENOSPC); returns the bytes written.
    @discardableResult
    func fill() throws -> Int {
        let fd = open(filler.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TestFailure("cannot create \(filler.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x5a, count: 4096)
        var total = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n > 0 { total += n; continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == ENOSPC { break }
            throw TestFailure("filling \(directory.path): \(n == 0 ? "wrote nothing" : String(cString: strerror(errno)))")
        }
        // Whatever is left is less than a page: try the last few bytes one at a time.
        while write(fd, chunk, 1) == 1 { total += 1 }
        return total
    }

    /// Empties and removes the filler file: the volume has room again. Truncating first frees the blocks at once;
    /// removal alone frees them only when the last descriptor of the file closes, and a child another test spawns
    /// while `fill()` has it open holds a copy until that child execs.
    func free() throws {
        guard truncate(filler.path, 0) == 0 else { throw TestFailure("cannot empty \(filler.path): \(String(cString: strerror(errno)))") }
        try FileManager.default.removeItem(at: filler)
    }

    /// Bytes an unprivileged write could still take (statvfs).
    func availableBytes() throws -> Int {
        var info = statvfs()
        guard statvfs(directory.path, &info) == 0 else { throw TestFailure("statvfs \(directory.path): \(String(cString: strerror(errno)))") }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }

    func unmount() throws {
        guard mounted else { return }
        mounted = false
        guard umount2(directory.path, Int32(MNT_DETACH)) == 0 else {
            throw TestFailure("umount \(directory.path): \(String(cString: strerror(errno)))")
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
