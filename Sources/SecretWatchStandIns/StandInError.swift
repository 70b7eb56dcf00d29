import Foundation

/// A stand-in could not be set up or a connection failed: what was being done, and the library's or system's
/// reason (OpenSSL error queue text or `strerror`).
public struct StandInError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// The NUL-terminated text a C function wrote into `buffer`.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A failed system call: `what` plus errno's text and number.
    static func posix(_ what: String, _ code: Int32 = errno) -> StandInError {
        StandInError("\(what): \(String(cString: strerror(code))) (errno \(code))")
    }
}
