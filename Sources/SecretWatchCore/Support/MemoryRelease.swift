import Glibc

/// Memory the daemon hands back to the system: freed heap, and the pages of code and constants that only
/// start-up needed.
///
/// Resident memory counts every page mapped into the process. Start-up runs code the daemon never runs again
/// (argument parsing, the configuration reader, migrations, the first TLS handshakes), and for every page of code
/// it touches the kernel maps the 64 KiB around it too ("fault-around"). Those pages stay mapped, and counted,
/// until memory runs short. Once start-up is over the daemon unmaps the read-only segments of the program and its
/// libraries; the pages stay in the page cache, and the ones it runs again are mapped again on first use.
public enum MemoryRelease {
    /// What `releaseStartupPages` did: resident bytes before and after, and the bytes of address space it covered.
    public struct Released: Sendable, Equatable {
        public var residentBefore: Int
        public var residentAfter: Int
        public var covered: Int
    }

    /// Returns the pages of freed heap memory to the system (every thread's arena).
    public static func returnFreedMemory() {
        _ = mallocTrim?(0)
    }

    /// Unmaps the read-only pages of the program and every loaded library (see the type's comment). Only segments
    /// nothing ever writes to are touched: writable segments hold relocated data and variables, which are the
    /// process's own and would be lost; an object whose code the loader had to patch (`DT_TEXTREL`) is skipped.
    @discardableResult
    public static func releaseStartupPages() -> Released {
        let before = residentBytes()
        var covered = 0
        for range in readOnlySegments() {
            guard let address = UnsafeMutableRawPointer(bitPattern: range.start),
                  madvise(address, range.length, MADV_DONTNEED) == 0 else { continue }
            covered += range.length
        }
        return Released(residentBefore: before, residentAfter: residentBytes(), covered: covered)
    }

    /// The read-only `PT_LOAD` segments of the program and every shared library loaded, page-aligned.
    static func readOnlySegments() -> [Range] {
        guard let iterate = iterateLoadedObjects else { return [] }
        let collected = Collected()
        withExtendedLifetime(collected) {
            _ = iterate(visit, Unmanaged.passUnretained(collected).toOpaque())
        }
        return collected.ranges
    }

    private final class Collected {
        var ranges: [Range] = []
    }

    private static let visit: ObjectVisitor = { info, _, context in
        guard let info, let context else { return 0 }
        Unmanaged<Collected>.fromOpaque(context).takeUnretainedValue().ranges += readOnlySegments(of: info)
        return 0
    }

    /// A page-aligned address range.
    struct Range: Equatable {
        var start: UInt
        var length: Int
    }

    /// One loaded object's read-only segments. `info` is a `struct dl_phdr_info` (link.h, 64-bit): `dlpi_addr` at
    /// 0, `dlpi_name` at 8, `dlpi_phdr` at 16, `dlpi_phnum` at 24; each `Elf64_Phdr` is 56 bytes: `p_type` at 0,
    /// `p_flags` at 4, `p_vaddr` at 16, `p_memsz` at 40. The Glibc module declares neither.
    private static func readOnlySegments(of info: UnsafeRawPointer) -> [Range] {
        let base = info.load(as: UInt.self)
        guard let headers = info.load(fromByteOffset: 16, as: UnsafeRawPointer?.self) else { return [] }
        let count = Int(info.load(fromByteOffset: 24, as: UInt16.self))
        // The vDSO is the kernel's, not a mapping of a file.
        if let name = info.load(fromByteOffset: 8, as: UnsafePointer<CChar>?.self), strncmp(name, "linux-v", 7) == 0 { return [] }
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        var ranges: [Range] = []
        for index in 0..<count {
            let header = headers + index * 56
            let type = header.load(as: UInt32.self), flags = header.load(fromByteOffset: 4, as: UInt32.self)
            let address = base &+ UInt(header.load(fromByteOffset: 16, as: UInt64.self))
            let size = UInt(header.load(fromByteOffset: 40, as: UInt64.self))
            if type == programHeaderDynamic, hasTextRelocations(dynamic: address) { return [] }
            guard type == programHeaderLoad, flags & segmentWritable == 0, size > 0 else { continue }
            let start = address & ~(page - 1)
            let end = (address &+ size &+ page - 1) & ~(page - 1)
            ranges.append(Range(start: start, length: Int(end - start)))
        }
        return ranges
    }

    private static let programHeaderLoad: UInt32 = 1      // PT_LOAD
    private static let programHeaderDynamic: UInt32 = 2   // PT_DYNAMIC
    private static let segmentWritable: UInt32 = 2        // PF_W

    /// Whether a dynamic section (`Elf64_Dyn` entries of tag and value, 16 bytes, ending with `DT_NULL`) asks for
    /// relocations in read-only segments: `DT_TEXTREL` (22), or `DF_TEXTREL` (4) in `DT_FLAGS` (30).
    private static func hasTextRelocations(dynamic: UInt) -> Bool {
        guard var entry = UnsafeRawPointer(bitPattern: dynamic) else { return false }
        while true {
            let tag = entry.load(as: Int64.self), value = entry.load(fromByteOffset: 8, as: UInt64.self)
            switch tag {
            case 0: return false
            case 22: return true
            case 30 where value & 4 != 0: return true
            default: entry += 16
            }
        }
    }

    /// Resident bytes of this process (`/proc/self/statm`, second field, in pages).
    static func residentBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return 0 }
        let fields = buffer[0..<n].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// glibc's `malloc_trim` (not in the Glibc module), looked up once.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()

    private typealias ObjectVisitor = @convention(c) (UnsafeRawPointer?, Int, UnsafeMutableRawPointer?) -> Int32
    /// glibc's `dl_iterate_phdr` (link.h, which the Glibc module does not declare), looked up once.
    private static let iterateLoadedObjects: (@convention(c) (ObjectVisitor, UnsafeMutableRawPointer?) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "dl_iterate_phdr") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (ObjectVisitor, UnsafeMutableRawPointer?) -> Int32).self)
    }()
}
