import FoundationEssentials
import Glibc

/// The server's resource limits. The defaults keep health probes and scrapes answered while thousands of slow or
/// idle clients hold connections; the daemon's configuration may change the first four, tests lower them to
/// exercise the limits.
public struct HTTPServerLimits: Sendable, Equatable {
    /// An announced body over a route's bound but at most this large is read and dropped before the 413 goes out:
    /// the client is already sending it, and closing with its bytes unread would reset the connection before the
    /// client reads the answer. A larger one is answered at once and the connection closed.
    public static let refusedBodyDrainLimit = 8 << 20

    /// Connections open at once. At the limit libmicrohttpd stops accepting until a connection closes.
    public var connectionLimit: Int = 4096
    /// Connections open at once from one client address; further ones are accepted and closed at once. 0: no limit.
    public var perIPConnectionLimit: Int = 64
    /// Seconds a request (its line, headers and body) may take to arrive, counted from the connection opening or
    /// from the previous answer; a connection past it is closed. libmicrohttpd's own timeout (below) is an idle
    /// timeout that every byte resets, so a client trickling a header byte every few seconds would never meet it.
    public var requestTimeout: Double = 5
    /// Seconds a connection may stay without any traffic (an answer the client stopped reading) before it is closed.
    public var connectionTimeout: Int = 30
    /// Threads serving connections. libmicrohttpd treats 0 and 1 as "no pool" (a single thread), so the
    /// minimum is 2.
    public var threadPoolSize: Int = 4
    /// Largest request body accepted; a larger one is refused with 413 (`HTTPHandling.refusal`).
    public var maxBodyBytes: Int = 16 * 1024
    /// Memory per connection for the request line, headers and read buffer; larger headers get 431.
    public var connectionMemoryLimit: Int = 64 * 1024

    public init(connectionLimit: Int = 4096, perIPConnectionLimit: Int = 64, requestTimeout: Double = 5,
                connectionTimeout: Int = 30, threadPoolSize: Int = 4, maxBodyBytes: Int = 16 * 1024,
                connectionMemoryLimit: Int = 64 * 1024) {
        // Upper bounds keep every value within libmicrohttpd's unsigned int and the deadline arithmetic.
        precondition((1...1_000_000).contains(connectionLimit) && (0...1_000_000).contains(perIPConnectionLimit)
                     && requestTimeout > 0 && requestTimeout <= 86_400 && (1...86_400).contains(connectionTimeout)
                     && (2...1024).contains(threadPoolSize) && maxBodyBytes >= 0 && connectionMemoryLimit >= 4096,
                     "invalid HTTP server limits")
        self.connectionLimit = connectionLimit
        self.perIPConnectionLimit = perIPConnectionLimit
        self.requestTimeout = requestTimeout
        self.connectionTimeout = connectionTimeout
        self.threadPoolSize = threadPoolSize
        self.maxBodyBytes = maxBodyBytes
        self.connectionMemoryLimit = connectionMemoryLimit
    }
}

/// The process's open-file limit (RLIMIT_NOFILE). Every HTTP connection is a descriptor, and the usual soft limit
/// of 1,024 is below the server's connection limit; the hard limit (524,288 under systemd) is not.
enum OpenFileLimit {
    /// Descriptors kept aside for the rest of the process (database, outgoing transfers, log and standard streams).
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
