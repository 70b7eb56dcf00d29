import Foundation

/// The process's open-file limit (RLIMIT_NOFILE). Every HTTP connection is a descriptor, and the usual soft limit
/// of 1,024 is below the server's connection limit; the hard limit (524,288 under systemd) is not.
enum OpenFileLimit {
    /// Descriptors kept aside for the database, libcurl transfers, log and standard streams.
    static let reserve = 256

    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)

    /// Raises the soft limit to `needed` (never above the hard limit, never lowering it); returns the soft limit
    /// now in force, or nil when it cannot be read.
    @discardableResult
    static func raise(toAtLeast needed: Int) -> UInt64? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        let wanted = rlim_t(max(0, needed))
        // RLIM_INFINITY is all ones (it does not import): `min` covers it.
        guard limit.rlim_cur < wanted else { return UInt64(limit.rlim_cur) }
        let target = min(wanted, limit.rlim_max)
        var raised = limit
        raised.rlim_cur = target
        guard setrlimit(resource, &raised) == 0 else { return UInt64(limit.rlim_cur) }
        return UInt64(target)
    }
}
