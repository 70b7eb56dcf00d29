import Dispatch
import FoundationEssentials
import Glibc
import Logging
import Synchronization
internal import CSecretWatchMicroHTTPD

/// The libmicrohttpd daemon. Connections are served by a pool of internal threads (epoll); every request goes
/// through `HTTPHandling.plan`. Deferred work runs on `workQueue` while its connection is suspended, so a slow
/// query never holds up a cheap answer served by the same thread. Slow and idle clients are bounded by `limits`:
/// thousands of connections, a few per client address, and a request timeout (`RequestDeadlines`) that a client
/// trickling its headers cannot reset.
///
/// `@unchecked Sendable`: `daemon` is written in `start()` and `stop()` only, which callers serialise (they call
/// each once, in order); everything the callbacks touch is immutable or locked.
public final class MicroHTTPDServer: @unchecked Sendable {
    let host: String
    let requestedPort: Int
    let limits: HTTPServerLimits
    let handler: any HTTPHandling
    public let logger: Logger
    private var daemon: OpaquePointer?
    private let workQueue = DispatchQueue(label: "secretwatch.http.work", attributes: .concurrent)
    private let workers = DispatchGroup()
    /// Set when `stop()` begins. From then on a request that needs deferred work is answered 503 at once instead
    /// of entering `workers`, so the wait for them ends, and no work resumes a connection that libmicrohttpd has
    /// already freed.
    private let stopping = Mutex(false)
    /// Deferred requests from hand-off until libmicrohttpd reports them complete (answer sent or connection
    /// gone), so that `stop()` lets their answers go out before it closes the connections.
    let answering = DispatchGroup()
    let deadlines: RequestDeadlines
    /// The port actually bound (differs from `requestedPort` when that was 0).
    public private(set) var port: Int = 0
    /// Where the server listens once started (`host:port`), and whether only this host can reach it.
    public private(set) var boundAddress = ""
    public private(set) var listensOnLoopback = true

    public init(host: String, port: Int, limits: HTTPServerLimits = HTTPServerLimits(), handler: any HTTPHandling,
                logger: Logger = Logger(label: "secretwatch.http")) {
        self.host = host
        self.requestedPort = port
        self.limits = limits
        self.handler = handler
        self.logger = logger
        deadlines = RequestDeadlines(timeout: limits.requestTimeout, logger: logger)
    }

    deinit {
        if daemon != nil { stop() }
    }

    public var isRunning: Bool { daemon != nil }

    /// Binds and starts serving; throws naming the address and the system's reason when it cannot.
    public func start() throws {
        precondition(daemon == nil, "server already started")
        var address = try SocketAddress.resolve(host: host, port: requestedPort)
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
            | MHD_USE_ERROR_LOG.rawValue
        if address.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        ensureDescriptors()
        let context = Unmanaged.passUnretained(self).toOpaque()
        errno = 0
        let started = address.withSockaddr { sockaddr in
            sw_mhd_start(UInt32(flags), UInt16(requestedPort), sockaddr, accessHandler, context, requestCompleted, context,
                         connectionNotified, context, libraryMessage, context,
                         UInt32(limits.connectionLimit), UInt32(limits.perIPConnectionLimit), UInt32(limits.connectionTimeout),
                         UInt32(limits.threadPoolSize), limits.connectionMemoryLimit)
        }
        guard let started else {
            let code = errno
            throw HTTPServerError.startFailed("\(host):\(requestedPort)", errno: code, code == 0 ? "libmicrohttpd refused the options" : String(cString: strerror(code)))
        }
        daemon = started
        deadlines.start()
        port = Int(sw_mhd_bind_port(started))
        boundAddress = address.display(port: port)
        listensOnLoopback = address.isLoopback
        logger.info("HTTP server listening", metadata: ["address": "\(boundAddress)"])
    }

    /// Every connection is a descriptor: raises the soft open-file limit to the connection limit and a reserve, and
    /// says so when the hard limit does not allow it.
    private func ensureDescriptors() {
        let needed = limits.connectionLimit + OpenFileLimit.reserve
        guard let soft = OpenFileLimit.raise(toAtLeast: needed), soft < UInt64(needed) else { return }
        logger.warning("the open-file limit allows fewer connections than the HTTP connection limit; raise LimitNOFILE", metadata: [
            "open_file_limit": "\(soft)", "connection_limit": "\(limits.connectionLimit)",
        ])
    }

    /// Refuses new deferred work (503), lets the work under way finish and its answers go out, then stops
    /// libmicrohttpd, which closes the listening socket and every connection and joins its threads.
    ///
    /// Not `MHD_quiesce_daemon`: with a thread pool on epoll it removes the listening socket from each worker's
    /// epoll set from this thread, and libmicrohttpd (0.9.75) aborts the process when a worker woken by a
    /// connection at that moment has just removed it itself.
    public func stop() {
        guard let daemon else { return }
        deadlines.stop()
        stopping.withLock { $0 = true }
        workers.wait()
        // libmicrohttpd's threads send those answers once the connections resume; a client that does not read
        // its answer is given up after the request timeout.
        _ = answering.wait(timeout: .now() + limits.requestTimeout)
        MHD_stop_daemon(daemon)
        self.daemon = nil
        logger.info("HTTP server stopped")
    }

    // MARK: - request handling (server threads)

    func handle(_ connection: OpaquePointer, url: String, method: String, upload: UnsafePointer<CChar>?,
                            uploadSize: UnsafeMutablePointer<Int>, slot: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> MHD_Result {
        guard let existing = slot.pointee else {
            // First call: only the headers are known. Answer now only to refuse an announced oversized body that
            // the client has not started sending (it waits for "100 Continue") or that is too large to be worth
            // reading; the connection then closes. Otherwise wait for the second call, or keep-alive breaks.
            let ctx = RequestContext(method: method, path: url,
                                     maxBodyBytes: handler.maxBodyBytes(method: method, path: url) ?? limits.maxBodyBytes)
            gather(connection, into: ctx)
            slot.pointee = Unmanaged.passRetained(ctx).toOpaque()
            let (length, expect) = ctx.gathered.withLock { ($0.headers["content-length"], $0.headers["expect"]) }
            if let declared = length.flatMap({ Int($0) }), declared > ctx.maxBodyBytes {
                if expect?.lowercased() == "100-continue" || declared > HTTPServerLimits.refusedBodyDrainLimit {
                    deadlines.received(UInt(bitPattern: connection))
                    return send(tooLarge(ctx.maxBodyBytes), route: handler.routeLabel(path: url), on: connection)
                }
                // Already on its way: read and dropped as it arrives (within the request timeout), then refused.
                ctx.gathered.withLock { $0.bodyTooLarge = true }
            }
            return .YES
        }
        let ctx = Unmanaged<RequestContext>.fromOpaque(existing).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            let size = uploadSize.pointee
            ctx.gathered.withLock { g in
                if g.bodyTooLarge { return }
                if g.body.count + size > ctx.maxBodyBytes {
                    g.bodyTooLarge = true
                    g.body = []
                } else if let upload {
                    upload.withMemoryRebound(to: UInt8.self, capacity: size) { g.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: size)) }
                }
            }
            uploadSize.pointee = 0
            return .YES
        }
        if let response = ctx.response.withLock({ $0.take() }) {
            return send(response, route: ctx.gathered.withLock { $0.route }, on: connection)
        }
        let (tooBig, dispatched) = ctx.gathered.withLock { ($0.bodyTooLarge, $0.dispatched) }
        if dispatched { return .YES }
        // The whole request has arrived: the request timeout stops until the answer is sent.
        deadlines.received(UInt(bitPattern: connection))
        if tooBig { return send(tooLarge(ctx.maxBodyBytes), route: handler.routeLabel(path: url), on: connection) }
        switch handler.plan(ctx.request()) {
        case .immediate(let route, let response):
            return send(response, route: route, on: connection)
        case .deferred(let route, let work):
            let admitted = stopping.withLock { stopping -> Bool in
                guard !stopping else { return false }
                workers.enter()
                answering.enter()
                return true
            }
            guard admitted else { return send(handler.refusal(status: 503, message: "the server is stopping"), route: route, on: connection) }
            ctx.gathered.withLock { g in
                g.dispatched = true
                g.route = route
            }
            MHD_suspend_connection(connection)
            let suspended = SuspendedConnection(connection: connection)
            workQueue.async { [workers] in
                let response = work()
                ctx.response.withLock { $0 = response }
                suspended.resume()
                workers.leave()
            }
            return .YES
        }
    }

    private func tooLarge(_ limit: Int) -> HTTPResponse {
        handler.refusal(status: 413, message: "request body larger than \(limit) bytes")
    }

    /// Most bytes a pulled body is asked for at once.
    private static let streamBlockSize = 1 << 16

    private func gather(_ connection: OpaquePointer, into ctx: RequestContext) {
        let cls = Unmanaged.passUnretained(ctx).toOpaque()
        _ = MHD_get_connection_values(connection, .HEADER_KIND, collectValue, cls)
        _ = MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, collectValue, cls)
    }

    /// Creates the libmicrohttpd response, adds the headers and queues it; logs and closes the connection
    /// when libmicrohttpd refuses.
    private func send(_ response: HTTPResponse, route: String, on connection: OpaquePointer) -> MHD_Result {
        let created: OpaquePointer?
        switch response.body {
        case .bytes(let bytes):
            created = bytes.withUnsafeBytes { raw in
                MHD_create_response_from_buffer(raw.count, UnsafeMutableRawPointer(mutating: raw.baseAddress), .RESPMEM_MUST_COPY)
            }
        case .streamed(let body):
            switch body.content() {
            case .buffers(let buffers, let owner):
                let iov = buffers.map { MHD_IoVec(iov_base: $0.baseAddress, iov_len: $0.count) }
                // The owner stays alive until libmicrohttpd calls `releaseOwner` after the last byte is sent.
                let retained = Unmanaged.passRetained(owner).toOpaque()
                created = iov.withUnsafeBufferPointer { MHD_create_response_from_iovec($0.baseAddress, UInt32($0.count), releaseOwner, retained) }
                if created == nil { Unmanaged<AnyObject>.fromOpaque(retained).release() }
            case .stream(let stream, let length):
                // Pulled at most `streamBlockSize` bytes at a time as libmicrohttpd sends.
                let retained = Unmanaged.passRetained(PulledBody(stream)).toOpaque()
                created = MHD_create_response_from_callback(UInt64(length), Self.streamBlockSize, readPulledBody, retained, releasePulledBody)
                if created == nil { Unmanaged<PulledBody>.fromOpaque(retained).release() }
            }
        }
        guard let created else {
            logger.error("libmicrohttpd could not create a response", metadata: ["status": "\(response.status)", "route": "\(route)"])
            return .NO
        }
        defer { MHD_destroy_response(created) }
        for (name, value) in response.headers where MHD_add_response_header(created, name, value) != .YES {
            logger.error("libmicrohttpd refused a response header", metadata: ["header": "\(name)"])
            return .NO
        }
        let queued = MHD_queue_response(connection, UInt32(response.status), created)
        if queued != .YES {
            logger.error("libmicrohttpd could not queue a response", metadata: ["status": "\(response.status)", "route": "\(route)"])
            return .NO
        }
        handler.answered(route: route, status: response.status)
        return .YES
    }
}

