/// The server's resource limits. The defaults suit a daemon scraped by a few Prometheus servers and browsed
/// by on-call; tests lower them to exercise the limits.
public struct HTTPServerLimits: Sendable, Equatable {
    /// Connections open at once; further connections are accepted and closed at once.
    public var connectionLimit: Int = 128
    /// Seconds a connection may stay idle before it is closed.
    public var connectionTimeout: Int = 30
    /// Threads serving connections. libmicrohttpd treats 0 and 1 as "no pool" (a single thread), so the
    /// minimum is 2.
    public var threadPoolSize: Int = 4
    /// Largest request body accepted (the ack body is a few hundred bytes).
    public var maxBodyBytes: Int = 16 * 1024
    /// Memory per connection for the request line, headers and read buffer; larger headers get 431.
    public var connectionMemoryLimit: Int = 64 * 1024

    public init(connectionLimit: Int = 128, connectionTimeout: Int = 30, threadPoolSize: Int = 4,
                maxBodyBytes: Int = 16 * 1024, connectionMemoryLimit: Int = 64 * 1024) {
        precondition(connectionLimit >= 1 && connectionTimeout >= 1 && threadPoolSize >= 2 && maxBodyBytes >= 0
                     && connectionMemoryLimit >= 4096, "invalid HTTP server limits")
        self.connectionLimit = connectionLimit
        self.connectionTimeout = connectionTimeout
        self.threadPoolSize = threadPoolSize
        self.maxBodyBytes = maxBodyBytes
        self.connectionMemoryLimit = connectionMemoryLimit
    }
}
