import Foundation
internal import CSecretWatchStandInTLS

/// The TLS protocol versions a stand-in server accepts.
public enum TLSVersion: Int32, Sendable {
    case tls11 = 0x0302
    case tls12 = 0x0303
    case tls13 = 0x0304
}

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

/// One TLS session on an accepted socket; used by the one thread that handles that connection.
final class TLSSession {
    private let handle: UnsafeMutableRawPointer
    /// Keeps the context alive as long as a session made from it.
    private let context: TLSServerContext

    init(handle: UnsafeMutableRawPointer, context: TLSServerContext) {
        self.handle = handle
        self.context = context
    }

    deinit { sw_tls_session_free(handle) }

    /// Bytes read (0 when the peer closed).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var err = [CChar](repeating: 0, count: 256)
        let n = err.withUnsafeMutableBufferPointer { sw_tls_read(handle, buffer.baseAddress, buffer.count, $0.baseAddress, $0.count) }
        guard n >= 0 else { throw StandInError(StandInError.text(err)) }
        return n
    }

    func write(_ data: Data) throws {
        var err = [CChar](repeating: 0, count: 256)
        let n = data.withUnsafeBytes { bytes in
            err.withUnsafeMutableBufferPointer { sw_tls_write(handle, bytes.baseAddress, bytes.count, $0.baseAddress, $0.count) }
        }
        guard n >= 0 else { throw StandInError(StandInError.text(err)) }
    }
}
