/// libcurl result codes secretwatch classifies (values are libcurl's stable ABI numbers).
public struct CurlCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let ok = CurlCode(rawValue: 0)
    public static let unsupportedProtocol = CurlCode(rawValue: 1)
    public static let urlMalformat = CurlCode(rawValue: 3)
    public static let couldntResolveProxy = CurlCode(rawValue: 5)
    public static let couldntResolveHost = CurlCode(rawValue: 6)
    public static let couldntConnect = CurlCode(rawValue: 7)
    public static let weirdServerReply = CurlCode(rawValue: 8)
    public static let http2 = CurlCode(rawValue: 16)
    public static let partialFile = CurlCode(rawValue: 18)
    public static let httpReturnedError = CurlCode(rawValue: 22)
    public static let writeError = CurlCode(rawValue: 23)
    public static let readError = CurlCode(rawValue: 26)
    public static let outOfMemory = CurlCode(rawValue: 27)
    public static let operationTimedOut = CurlCode(rawValue: 28)
    public static let sslConnectError = CurlCode(rawValue: 35)
    public static let abortedByCallback = CurlCode(rawValue: 42)
    public static let gotNothing = CurlCode(rawValue: 52)
    public static let sendError = CurlCode(rawValue: 55)
    public static let recvError = CurlCode(rawValue: 56)
    public static let sslCertProblem = CurlCode(rawValue: 58)
    public static let sslCipher = CurlCode(rawValue: 59)
    public static let peerFailedVerification = CurlCode(rawValue: 60)
    public static let filesizeExceeded = CurlCode(rawValue: 63)
    public static let useSSLFailed = CurlCode(rawValue: 64)
    public static let loginDenied = CurlCode(rawValue: 67)
    public static let sslCACertBadFile = CurlCode(rawValue: 77)
    public static let sslShutdownFailed = CurlCode(rawValue: 80)
    public static let againError = CurlCode(rawValue: 81)
    public static let sslCRLBadFile = CurlCode(rawValue: 82)
    public static let sslIssuerError = CurlCode(rawValue: 83)
    public static let proxy = CurlCode(rawValue: 97)

    public var description: String { "curl error \(rawValue)" }
}
