import FoundationEssentials
import Glibc
internal import CSecretWatchCurl

/// One libcurl easy handle: with the callbacks in `CurlTransferState.swift`, the only code that calls libcurl.
/// Not thread-safe and not Sendable: a handle is used by one thread at a time, never on Swift's cooperative pool
/// (its calls block).
/// `reset()` keeps the handle's connection cache, so a worker reusing its handle reuses connections.
/// Secrets it sends are told to, and the text it reports is scrubbed by, the owner's `CurlSecretHandling`.
public final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    /// libcurl writes into this until cleanup, so it lives as long as the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    private let state: TransferState
    private let secrets: any CurlSecretHandling
    /// The XOAUTH2 initial response last told to `secrets` (kept across `reset()`).
    private var toldInitialResponse: String?
    private var closed = false

    /// `curl_global_init` exactly once per process, before the first handle (Swift runs a static let once).
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    public init(secrets: any CurlSecretHandling) throws {
        guard Self.globalInit == CURLE_OK else {
            throw CurlSetupError(message: "curl_global_init failed: \(String(cString: curl_easy_strerror(Self.globalInit)))")
        }
        guard let h = curl_easy_init() else { throw CurlSetupError(message: "curl_easy_init failed (out of memory)") }
        handle = h
        self.secrets = secrets
        state = TransferState(secrets: secrets)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try applyBase()
    }

    deinit {
        if !closed { curl_easy_cleanup(handle) }
        lists.forEach { curl_slist_free_all($0) }
        errorBuffer.deallocate()
    }

    /// Clears every option (keeping live connections for reuse) and sets the safe defaults again.
    public func reset() throws {
        precondition(!closed, "CurlEasy used after close()")
        curl_easy_reset(handle)
        lists.forEach { curl_slist_free_all($0) }
        lists = []
        state.clear()
        try applyBase()
    }

    private func applyBase() throws {
        let context = Unmanaged.passUnretained(state).toOpaque()
        try check(sw_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        try check(sw_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
        try check(sw_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWrite), "CURLOPT_WRITEFUNCTION")
        try check(sw_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "CURLOPT_WRITEDATA")
        try check(sw_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlHeader), "CURLOPT_HEADERFUNCTION")
        try check(sw_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context), "CURLOPT_HEADERDATA")
        try check(sw_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1), "CURLOPT_SSL_VERIFYPEER")
        try check(sw_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2), "CURLOPT_SSL_VERIFYHOST")
        try check(sw_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), "CURLOPT_FOLLOWLOCATION")
        // Only the protocols these handles are for: a configured URL can never be file:// or ftp://.
        try check(sw_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https,smtp,smtps"), "CURLOPT_PROTOCOLS_STR")
    }

    /// Applies options in order.
    public func set(_ options: [CurlOption]) throws {
        for option in options { try set(option) }
    }

    public func set(_ option: CurlOption) throws {
        switch option {
        case .url(let url):
            try check(sw_curl_setopt_string(handle, CURLOPT_URL, url), "CURLOPT_URL")
        case .connectTimeout(let seconds):
            try check(sw_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, try Self.timeoutMilliseconds(seconds, "CURLOPT_CONNECTTIMEOUT_MS")), "CURLOPT_CONNECTTIMEOUT_MS")
        case .timeout(let seconds):
            try check(sw_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, try Self.timeoutMilliseconds(seconds, "CURLOPT_TIMEOUT_MS")), "CURLOPT_TIMEOUT_MS")
        case .lowSpeed(let bytes, let seconds):
            try check(sw_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, bytes), "CURLOPT_LOW_SPEED_LIMIT")
            try check(sw_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, seconds), "CURLOPT_LOW_SPEED_TIME")
        case .caFile(let path):
            try check(sw_curl_setopt_string(handle, CURLOPT_CAINFO, path), "CURLOPT_CAINFO")
        case .proxy(let url):
            try check(sw_curl_setopt_string(handle, CURLOPT_PROXY, url), "CURLOPT_PROXY")
        case .noProxy(let list):
            try check(sw_curl_setopt_string(handle, CURLOPT_NOPROXY, list), "CURLOPT_NOPROXY")
        case .httpProxyTunnel(let on):
            try check(sw_curl_setopt_long(handle, CURLOPT_HTTPPROXYTUNNEL, on ? 1 : 0), "CURLOPT_HTTPPROXYTUNNEL")
        case .post(let body, let headers):
            try check(sw_curl_setopt_long(handle, CURLOPT_POST, 1), "CURLOPT_POST")
            // COPYPOSTFIELDS: libcurl keeps its own copy (POSTFIELDS would keep our pointer).
            try check(sw_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.utf8.count), "CURLOPT_POSTFIELDSIZE")
            try check(sw_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, body), "CURLOPT_COPYPOSTFIELDS")
            try set(.httpHeaders(headers))
        case .httpHeaders(let headers):
            try check(sw_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list(headers)), "CURLOPT_HTTPHEADER")
        case .userAgent(let agent):
            try check(sw_curl_setopt_string(handle, CURLOPT_USERAGENT, agent), "CURLOPT_USERAGENT")
        case .maxResponseBytes(let bytes):
            state.maxBody = bytes
        case .requireTLS:
            try check(sw_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)), "CURLOPT_USE_SSL")
        case .mailFrom(let address):
            try check(sw_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(address)>"), "CURLOPT_MAIL_FROM")
        case .mailRecipients(let recipients):
            try check(sw_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, list(recipients.map { "<\($0)>" })), "CURLOPT_MAIL_RCPT")
        case .allowRecipientFailures(let on):
            try check(sw_curl_setopt_mail_rcpt_allowfails(handle, on ? 1 : 0), "CURLOPT_MAIL_RCPT_ALLOWFAILS")
        case .xoauth2(let user, let bearer):
            // What libcurl will send, and its base64: a server that echoes it must not get it into any text.
            // Once per token and user, not per transfer (a series sends hundreds of mails with one token).
            let initial = "user=\(user)\u{1}auth=Bearer \(bearer)\u{1}\u{1}"
            if initial != toldInitialResponse {
                secrets.willSend(initial)
                secrets.willSend(Data(initial.utf8).base64EncodedString())
                toldInitialResponse = initial
            }
            try check(sw_curl_setopt_string(handle, CURLOPT_USERNAME, user), "CURLOPT_USERNAME")
            try check(sw_curl_setopt_string(handle, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2"), "CURLOPT_LOGIN_OPTIONS")
            try check(sw_curl_setopt_string(handle, CURLOPT_XOAUTH2_BEARER, bearer), "CURLOPT_XOAUTH2_BEARER")
            try check(sw_curl_setopt_long(handle, CURLOPT_SASL_IR, 1), "CURLOPT_SASL_IR")
        case .upload(let data):
            state.upload = data
            state.uploadOffset = 0
            try check(sw_curl_setopt_long(handle, CURLOPT_UPLOAD, 1), "CURLOPT_UPLOAD")
            try check(sw_curl_setopt_data_callback(handle, CURLOPT_READFUNCTION, curlRead), "CURLOPT_READFUNCTION")
            try check(sw_curl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(state).toOpaque()), "CURLOPT_READDATA")
            try check(sw_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(data.count)), "CURLOPT_INFILESIZE_LARGE")
        case .connectOnly:
            try check(sw_curl_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1), "CURLOPT_CONNECT_ONLY")
        case .tls12OrNewer:
            try check(sw_curl_setopt_long(handle, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2)), "CURLOPT_SSLVERSION")
        case .resolve(let entries):
            try check(sw_curl_setopt_slist(handle, CURLOPT_RESOLVE, list(entries)), "CURLOPT_RESOLVE")
        case .certificateInfo:
            try check(sw_curl_setopt_long(handle, CURLOPT_CERTINFO, 1), "CURLOPT_CERTINFO")
        }
    }

    /// Records the protocol exchange with timestamps (`CurlResponse.trace`).
    public func enableTrace() throws {
        state.tracing = true
        try check(sw_curl_setopt_long(handle, CURLOPT_VERBOSE, 1), "CURLOPT_VERBOSE")
        try check(sw_curl_setopt_debug_callback(handle, curlDebug), "CURLOPT_DEBUGFUNCTION")
        try check(sw_curl_setopt_pointer(handle, CURLOPT_DEBUGDATA, Unmanaged.passUnretained(state).toOpaque()), "CURLOPT_DEBUGDATA")
    }

    /// Closes the handle and its cached connections now (SMTP: sends QUIT and reads the reply), returning
    /// what the trace recorded meanwhile (empty unless `enableTrace()` was called). The handle is unusable after.
    public func close() -> [CurlResponse.TraceLine] {
        guard !closed else { return [] }
        closed = true
        state.startTransfer()
        withExtendedLifetime(state) { curl_easy_cleanup(handle) }
        return state.trace
    }

    /// After a `.connectOnly` transfer: sends `text` on the established connection (through TLS when it is
    /// encrypted) and reads until a line that ends a reply arrives — e.g. an SMTP `QUIT` and its `221` — or
    /// `timeout` passes. Returns the reply lines, or nil when nothing complete arrived. Blocking.
    public func rawExchange(_ text: String, timeout: TimeInterval) -> [String]? {
        precondition(!closed, "CurlEasy used after close()")
        // At most a day: a longer wait for one reply line is never meant, and the addition cannot overflow.
        let deadline = ContinuousClock.now + .milliseconds(min(Self.milliseconds(timeout) ?? 0, 86_400_000))
        var bytes = Array(text.utf8)
        while !bytes.isEmpty {
            var sent = 0
            let rc = curl_easy_send(handle, bytes, bytes.count, &sent)
            if rc == CURLE_AGAIN {
                guard ContinuousClock.now < deadline else { return nil }
                usleep(1000)
                continue
            }
            guard rc == CURLE_OK else { return nil }
            bytes.removeFirst(sent)
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            var n = 0
            let rc = curl_easy_recv(handle, &buffer, buffer.count, &n)
            if rc == CURLE_AGAIN {
                usleep(1000)
                continue
            }
            guard rc == CURLE_OK, n > 0 else { break }
            received.append(contentsOf: buffer[0..<n])
            let lines = String(decoding: received, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
            // A reply ends with a line whose fourth character is a space ("221 bye"), not "-" ("250-more").
            if received.suffix(2) == Data("\r\n".utf8), let last = lines.last, last.count >= 4,
               last[last.index(last.startIndex, offsetBy: 3)] == " " {
                return lines
            }
        }
        return received.isEmpty ? nil : String(decoding: received, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    /// Runs the transfer (blocking) and reports everything the classifiers need.
    public func perform() -> CurlResponse {
        precondition(!closed, "CurlEasy used after close()")
        errorBuffer[0] = 0
        state.startTransfer()
        let rc = withExtendedLifetime(state) { curl_easy_perform(handle) }
        var status = 0
        _ = sw_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var total = 0.0, connect = 0.0, pretransfer = 0.0
        _ = sw_curl_getinfo_double(handle, CURLINFO_TOTAL_TIME, &total)
        _ = sw_curl_getinfo_double(handle, CURLINFO_CONNECT_TIME, &connect)
        // A reused connection reports a connect time of 0, but its pre-transfer time is set.
        _ = sw_curl_getinfo_double(handle, CURLINFO_PRETRANSFER_TIME, &pretransfer)
        state.flushHeader()
        // libcurl keeps the last handshake's chain on the handle: only a transfer that made a new connection
        // reports one (a reused connection presented nothing new).
        var connections = 0
        _ = sw_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connections)
        return CurlResponse(code: CurlCode(rawValue: Int32(rc.rawValue)),
                            codeText: String(cString: curl_easy_strerror(rc)),
                            errorText: secrets.scrub(String(cString: errorBuffer)),
                            responseCode: status, body: state.body, headerLines: state.headerLines,
                            responseTooLarge: state.tooLarge, connected: connect > 0 || pretransfer > 0, totalTime: total,
                            connectTime: connect, trace: state.trace,
                            presentedCertificates: connections > 0 ? presentedCertificates() : [])
    }

    /// The PEM text of each certificate the server presented (leaf first), from `CURLINFO_CERTINFO`; empty unless
    /// `.certificateInfo` was set and a handshake completed.
    private func presentedCertificates() -> [String] {
        var info: UnsafeMutablePointer<curl_certinfo>?
        guard sw_curl_getinfo_certinfo(handle, &info) == CURLE_OK, let info, info.pointee.num_of_certs > 0,
              let lists = info.pointee.certinfo else { return [] }
        var pems: [String] = []
        for index in 0..<Int(info.pointee.num_of_certs) {
            var node = lists[index]
            while let current = node {
                if let data = current.pointee.data {
                    let field = String(cString: data)
                    if field.hasPrefix("Cert:") {
                        pems.append(String(field.dropFirst("Cert:".count)))
                        break
                    }
                }
                node = current.pointee.next
            }
        }
        return pems
    }

    private func list(_ items: [String]) -> UnsafeMutablePointer<curl_slist>? {
        var head: UnsafeMutablePointer<curl_slist>?
        for item in items { head = curl_slist_append(head, item) }
        if let head { lists.append(head) }
        return head
    }

    /// Seconds in whole milliseconds, at least 1 for a positive value (0 means "no timeout" to libcurl); nil when
    /// negative, not finite or beyond `Int.max`, where `Int(_:)` would trap.
    static func milliseconds(_ seconds: TimeInterval) -> Int? {
        let value = (seconds * 1000).rounded()
        guard value.isFinite, seconds >= 0, value < 9.0e18 else { return nil }
        return seconds > 0 ? max(1, Int(value)) : 0
    }

    /// A timeout in whole milliseconds as libcurl's `long` takes it; a value no `long` holds is a setup error, not a trap.
    static func timeoutMilliseconds(_ seconds: TimeInterval, _ what: String) throws -> Int {
        guard let ms = milliseconds(seconds) else {
            throw CurlSetupError(message: "setting \(what) failed: \(seconds) s is not a timeout libcurl can take (0 to \(Int.max / 1000) s)")
        }
        return ms
    }

    private func check(_ rc: CURLcode, _ what: String) throws {
        guard rc == CURLE_OK else {
            throw CurlSetupError(message: "setting \(what) failed: \(String(cString: curl_easy_strerror(rc))) (curl error \(rc.rawValue))")
        }
    }
}
