import FoundationEssentials

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
    /// when tracing was asked for. Sent lines are scrubbed by the handle's `CurlSecretHandling`.
    public var trace: [TraceLine]
    /// With `.certificateInfo`: the PEM text of every certificate the server (or a TLS-inspecting proxy) presented
    /// on the new connection this transfer made, leaf first; empty for a reused connection or a failed handshake.
    public var presentedCertificates: [String] = []

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
            .map { String($0.dropFirst(prefix.count)).trimmingSpaces }
    }
}

/// The libcurl result codes callers classify (values are libcurl's stable ABI numbers); any other code keeps its
/// number.
public struct CurlCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let ok = CurlCode(rawValue: 0)
    public static let couldntResolveProxy = CurlCode(rawValue: 5)
    public static let couldntResolveHost = CurlCode(rawValue: 6)
    public static let couldntConnect = CurlCode(rawValue: 7)
    public static let partialFile = CurlCode(rawValue: 18)
    public static let writeError = CurlCode(rawValue: 23)
    public static let operationTimedOut = CurlCode(rawValue: 28)
    public static let sslConnectError = CurlCode(rawValue: 35)
    public static let gotNothing = CurlCode(rawValue: 52)
    public static let sendError = CurlCode(rawValue: 55)
    public static let recvError = CurlCode(rawValue: 56)
    public static let sslCertProblem = CurlCode(rawValue: 58)
    public static let sslCipher = CurlCode(rawValue: 59)
    public static let peerFailedVerification = CurlCode(rawValue: 60)
    public static let useSSLFailed = CurlCode(rawValue: 64)
    public static let loginDenied = CurlCode(rawValue: 67)
    public static let sslCACertBadFile = CurlCode(rawValue: 77)
    public static let sslShutdownFailed = CurlCode(rawValue: 80)
    public static let sslCRLBadFile = CurlCode(rawValue: 82)
    public static let sslIssuerError = CurlCode(rawValue: 83)
    public static let proxy = CurlCode(rawValue: 97)

    public var description: String { "curl error \(rawValue)" }
}

/// A handle could not be set up (an option libcurl refused): a programming or installation problem.
public struct CurlSetupError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
