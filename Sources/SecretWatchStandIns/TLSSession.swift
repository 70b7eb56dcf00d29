import Foundation
internal import CSecretWatchStandInTLS

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
