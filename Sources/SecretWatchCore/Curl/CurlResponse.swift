import Foundation

/// What one libcurl transfer produced.
public struct CurlResponse: Sendable {
    public var code: CurlCode
    /// `curl_easy_strerror` text for the code.
    public var codeText: String
    /// The error buffer's detailed message (may be empty, e.g. for an SMTP 535).
    public var errorText: String
    /// HTTP status, or the last SMTP reply code.
    public var responseCode: Int
    public var body: Data
    /// Every header line (HTTP) or server reply line (SMTP), without line ends.
    public var headerLines: [String]
    /// The body passed `maxResponseBytes`.
    public var responseTooLarge: Bool
    /// Whether a connection (TCP) was established before the transfer ended.
    public var connected: Bool
    public var totalTime: TimeInterval
    public var connectTime: TimeInterval
    /// Debug trace of the protocol exchange (`< ` lines from the server, `> ` lines sent, `* ` info) with timing,
    /// when tracing was asked for. Outgoing AUTH lines are scrubbed.
    public var trace: [TraceLine]

    public struct TraceLine: Sendable, Equatable {
        public enum Kind: String, Sendable { case info = "*", received = "<", sent = ">" }
        public var kind: Kind
        public var text: String
        /// Seconds since the transfer started.
        public var at: TimeInterval
    }

    public var ok: Bool { code == .ok && !responseTooLarge }

    /// The value of a response header (case-insensitive), last occurrence.
    public func header(_ name: String) -> String? {
        let prefix = name.lowercased() + ":"
        return headerLines.last { $0.lowercased().hasPrefix(prefix) }
            .map { String($0.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) }
    }
}
