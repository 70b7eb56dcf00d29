import Foundation
internal import CSecretWatchStandInTLS

/// One OpenSSL server context (certificate chain + key + protocol range).
/// `@unchecked Sendable`: the SSL_CTX is fully configured in `init` and never changed afterwards; OpenSSL allows
/// a configured context to create sessions from many threads at once.
public final class TLSServerContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    public init(identity: ThrowawayPKI.Identity, minimum: TLSVersion? = nil, maximum: TLSVersion? = nil) throws {
        var buffer = [CChar](repeating: 0, count: 512)
        let made = buffer.withUnsafeMutableBufferPointer {
            sw_tls_server_new(identity.certificatePath, identity.keyPath, minimum?.rawValue ?? 0, maximum?.rawValue ?? 0,
                              $0.baseAddress, $0.count)
        }
        guard let made else { throw StandInError("TLS server context: \(StandInError.text(buffer))") }
        handle = made
    }

    deinit { sw_tls_server_free(handle) }

    /// Server side of the handshake on `fd` (fresh, or after plaintext for STARTTLS).
    func accept(fd: Int32) throws -> TLSSession {
        var buffer = [CChar](repeating: 0, count: 512)
        let session = buffer.withUnsafeMutableBufferPointer { sw_tls_accept(handle, fd, $0.baseAddress, $0.count) }
        guard let session else { throw StandInError(StandInError.text(buffer)) }
        return TLSSession(handle: session, context: self)
    }
}
