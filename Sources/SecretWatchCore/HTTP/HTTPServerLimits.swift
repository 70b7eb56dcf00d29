/// The server's resource limits. The defaults keep `/healthz` and `/metrics` answering while thousands of slow or
/// idle clients hold connections; `http` in the configuration may change the first four (within `ConfigBounds`),
/// tests lower them to exercise the limits.
public struct HTTPServerLimits: Sendable, Equatable {
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
    /// Largest request body accepted (the ack body is a few hundred bytes).
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
