import Dispatch
import FoundationEssentials
import Glibc
import Logging
import Synchronization
internal import CSecretWatchMicroHTTPD

/// What the server gathers about one request across libmicrohttpd's access-handler calls. Created on the
/// first call, kept in libmicrohttpd's per-request pointer (retained), released when the request completes.
final class RequestContext: Sendable {
    struct Gathered: Sendable {
        var query: [(name: String, value: String)] = []
        var headers: [String: String] = [:]
        var body: [UInt8] = []
        var bodyTooLarge = false
        /// Set once deferred work has been handed off (the connection is suspended until it is done).
        var dispatched = false
        var route = "other"
    }

    let method: String
    let path: String
    /// The largest body this request may carry (its route's bound, else the server's).
    let maxBodyBytes: Int
    /// Touched by the server thread that owns the connection and, for deferred work, by the worker that
    /// produces `response`; the lock orders the two.
    let gathered = Mutex(Gathered())
    let response = Mutex<HTTPResponse?>(nil)

    init(method: String, path: String, maxBodyBytes: Int) {
        self.method = method
        self.path = path
        self.maxBodyBytes = maxBodyBytes
    }

    func request() -> HTTPRequest {
        gathered.withLock { g in
            HTTPRequest(method: method, path: path, query: g.query, headers: g.headers, body: g.body)
        }
    }
}

/// A suspended connection handed to a worker, which resumes it once the answer is ready.
/// `@unchecked Sendable`: libmicrohttpd allows `MHD_resume_connection` from any thread (the daemon runs
/// with MHD_ALLOW_SUSPEND_RESUME), and the pointer stays valid while the connection is suspended.
struct SuspendedConnection: @unchecked Sendable {
    let connection: OpaquePointer
    func resume() { MHD_resume_connection(connection) }
}

// MARK: - C callbacks handed to libmicrohttpd by `MicroHTTPDServer` (non-capturing; context through the `cls` pointers)

let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, upload, uploadSize, slot in
    guard let cls, let connection, let uploadSize, let slot else { return .NO }
    let server = Unmanaged<MicroHTTPDServer>.fromOpaque(cls).takeUnretainedValue()
    return server.handle(connection, url: url.map { String(cString: $0) } ?? "/", method: method.map { String(cString: $0) } ?? "",
                         upload: upload, uploadSize: uploadSize, slot: slot)
}

let requestCompleted: MHD_RequestCompletedCallback = { cls, connection, slot, _ in
    let server = cls.map { Unmanaged<MicroHTTPDServer>.fromOpaque($0).takeUnretainedValue() }
    if let server, let connection {
        // The connection waits for its next request: the request timeout runs again.
        server.deadlines.answered(UInt(bitPattern: connection))
    }
    guard let slot, let pointer = slot.pointee else { return }
    let ctx = Unmanaged<RequestContext>.fromOpaque(pointer)
    // Deferred work's answer is out (or its connection is gone): `stop()` need not wait for it any more.
    if ctx.takeUnretainedValue().gathered.withLock({ $0.dispatched }) { server?.answering.leave() }
    ctx.release()
    slot.pointee = nil
}

/// A connection opened or closed (the closing call comes before libmicrohttpd closes the descriptor).
let connectionNotified: MHD_NotifyConnectionCallback = { cls, connection, _, code in
    guard let cls, let connection else { return }
    let deadlines = Unmanaged<MicroHTTPDServer>.fromOpaque(cls).takeUnretainedValue().deadlines
    switch code {
    case .CONNECTION_NOTIFY_STARTED: deadlines.opened(UInt(bitPattern: connection), fd: sw_mhd_connection_fd(connection))
    default: deadlines.forget(UInt(bitPattern: connection))
    }
}

/// libmicrohttpd's own messages (a client leaving mid-request, the connection limit reached…): one a connection
/// under abuse, so at debug level; the request timeout sums up what it closed.
let libraryMessage: MHD_LogCallback = { cls, format, arguments in
    guard let cls, let format, let arguments else { return }
    var buffer = [UInt8](repeating: 0, count: 512)
    let written = buffer.withUnsafeMutableBufferPointer { raw in
        raw.withMemoryRebound(to: CChar.self) { vsnprintf($0.baseAddress, $0.count, format, arguments) }
    }
    let text = String(decoding: buffer.prefix(max(0, min(Int(written), buffer.count - 1))), as: UTF8.self)
        .trimmingSpacesAndNewlines
    Unmanaged<MicroHTTPDServer>.fromOpaque(cls).takeUnretainedValue().logger.debug("libmicrohttpd: \(text)")
}

let collectValue: MHD_KeyValueIterator = { cls, kind, key, value in
    guard let cls, let key else { return .YES }
    let ctx = Unmanaged<RequestContext>.fromOpaque(cls).takeUnretainedValue()
    let name = String(cString: key)
    let text = value.map { String(cString: $0) } ?? ""
    ctx.gathered.withLock { g in
        if kind == .GET_ARGUMENT_KIND {
            g.query.append((name, text))
        } else {
            let lower = name.lowercased()
            g.headers[lower] = g.headers[lower].map { $0 + ", " + text } ?? text
        }
    }
    return .YES
}

/// The memory of a body sent from buffers is no longer needed: libmicrohttpd sent it or dropped the connection.
let releaseOwner: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    Unmanaged<AnyObject>.fromOpaque(cls).release()
}

/// A pulled body's stream, kept by libmicrohttpd for as long as it sends the body.
final class PulledBody {
    let stream: any HTTPBodyStream

    init(_ stream: any HTTPBodyStream) {
        self.stream = stream
    }
}

/// libmicrohttpd asks for the next bytes at `position` (always where the previous call ended: the response is
/// sent once, in order). A stream that cannot go on has said why; the connection is then closed mid-body rather
/// than sending wrong bytes.
let readPulledBody: MHD_ContentReaderCallback = { cls, _, buffer, max in
    guard let cls, let buffer else { return -2 }
    let body = Unmanaged<PulledBody>.fromOpaque(cls).takeUnretainedValue()
    guard let count = body.stream.next(into: UnsafeMutableRawBufferPointer(start: buffer, count: max)) else { return -2 }
    return count > 0 ? count : -1
}

let releasePulledBody: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    Unmanaged<PulledBody>.fromOpaque(cls).release()
}
