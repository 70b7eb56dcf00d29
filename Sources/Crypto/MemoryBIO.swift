internal import CSecretWatchOpenSSL

/// A read-only OpenSSL memory BIO over bytes the caller owns (no copy is made: key bytes stay where the caller
/// can wipe them), valid only inside `body`.
enum MemoryBIO {
    static func reading<T>(_ bytes: [UInt8], source: String,
                           _ body: (OpaquePointer) throws(CryptoError) -> T) throws(CryptoError) -> T {
        let result: Result<T, CryptoError> = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(clamping: raw.count)) else {
                return .failure(.operationFailed("reading \(source)"))
            }
            defer { BIO_free(bio) }
            return Result { () throws(CryptoError) in try body(bio) }
        }
        return try result.get()
    }
}
