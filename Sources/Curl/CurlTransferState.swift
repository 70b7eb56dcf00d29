import FoundationEssentials
internal import CSecretWatchCurl

/// Buffers the callbacks fill; reached from C through an unretained pointer while `CurlEasy` keeps it alive.
final class TransferState {
    var body = Data()
    var maxBody = 1 << 20
    var tooLarge = false
    var headerLines: [String] = []
    var pendingHeader = Data()
    var upload = Data()
    var uploadOffset = 0
    var tracing = false
    var trace: [CurlResponse.TraceLine] = []
    var started = ContinuousClock.now
    /// Scrubs what the handle sends before it enters the trace.
    let secrets: any CurlSecretHandling

    init(secrets: any CurlSecretHandling) {
        self.secrets = secrets
    }

    func clear() {
        body = Data(); maxBody = 1 << 20; tooLarge = false; headerLines = []; pendingHeader = Data()
        upload = Data(); uploadOffset = 0; tracing = false; trace = []
    }

    func startTransfer() {
        body = Data(); tooLarge = false; headerLines = []; pendingHeader = Data(); trace = []; uploadOffset = 0
        started = .now
    }

    func flushHeader() {
        guard !pendingHeader.isEmpty else { return }
        headerLines.append(Self.trimmingNewlines(String(decoding: pendingHeader, as: UTF8.self)))
        pendingHeader = Data()
    }

    /// `trimmingCharacters(in: .newlines)` on unicode scalars, without going through NSString (every SMTP
    /// reply line passes here).
    static func trimmingNewlines(_ text: String) -> String {
        func isNewline(_ s: Unicode.Scalar) -> Bool {
            (0x0A...0x0D).contains(s.value) || s.value == 0x85 || s.value == 0x2028 || s.value == 0x2029
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last, isNewline(first) || isNewline(last) else { return text }
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, isNewline(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isNewline(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }

    var elapsed: TimeInterval {
        let d = ContinuousClock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    func addTrace(_ kind: CurlResponse.TraceLine.Kind, _ bytes: UnsafeBufferPointer<UInt8>) {
        // Split on CR and LF bytes (UTF-8 never uses them inside a multi-byte character): cheaper than splitting
        // the decoded string by Character, and every line of every transfer passes here.
        for raw in bytes.split(omittingEmptySubsequences: true, whereSeparator: { $0 == 0x0A || $0 == 0x0D }) {
            var line = String(decoding: UnsafeBufferPointer(rebasing: raw), as: UTF8.self)
            if kind == .sent {
                // A SASL continuation answers a 334 challenge with a credential blob: never keep it.
                if let last = trace.last(where: { $0.kind == .received }), last.text.hasPrefix("334") {
                    line = secrets.mask
                }
                line = secrets.scrub(line)
            }
            trace.append(.init(kind: kind, text: line, at: elapsed))
        }
    }
}

let curlWrite: sw_curl_data_callback = { pointer, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    let n = size * count
    guard let pointer, n > 0 else { return n }
    if state.body.count + n > state.maxBody {
        state.tooLarge = true
        return 0 // makes libcurl stop with CURLE_WRITE_ERROR
    }
    pointer.withMemoryRebound(to: UInt8.self, capacity: n) { state.body.append($0, count: n) }
    return n
}

let curlHeader: sw_curl_data_callback = { pointer, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    let n = size * count
    guard let pointer, n > 0 else { return n }
    pointer.withMemoryRebound(to: UInt8.self, capacity: n) { state.pendingHeader.append($0, count: n) }
    if state.pendingHeader.last == 0x0A { state.flushHeader() }
    if state.headerLines.count > 10_000 { return 0 } // an endless header stream is not a server we talk to
    return n
}

let curlRead: sw_curl_data_callback = { pointer, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    let room = size * count
    let remaining = state.upload.count - state.uploadOffset
    let n = min(room, remaining)
    guard let pointer, n > 0 else { return 0 }
    state.upload.withUnsafeBytes { bytes in
        UnsafeMutableRawPointer(pointer).copyMemory(from: bytes.baseAddress! + state.uploadOffset, byteCount: n)
    }
    state.uploadOffset += n
    return n
}

let curlDebug: sw_curl_debug_callback = { _, type, data, size, context in
    guard let context, let data else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    guard state.tracing else { return 0 }
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size)
    switch type {
    case CURLINFO_TEXT: state.addTrace(.info, bytes)
    case CURLINFO_HEADER_IN: state.addTrace(.received, bytes)
    case CURLINFO_HEADER_OUT: state.addTrace(.sent, bytes)
    default: break
    }
    return 0
}
