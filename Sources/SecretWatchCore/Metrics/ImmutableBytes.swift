/// Bytes at a fixed address that never change after creation, so the HTTP server can hand them to
/// libmicrohttpd without a copy (it keeps the owner alive until the response is sent).
///
/// `@unchecked Sendable`: the memory is written once in `init` and only read afterwards; it is freed in
/// `deinit`, which runs after the last reference (the response's, at the latest) is gone.
final class ImmutableBytes: @unchecked Sendable {
    let buffer: UnsafeRawBufferPointer

    init(_ bytes: [UInt8]) {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { memory.baseAddress!.copyMemory(from: base, byteCount: source.count) }
        }
        buffer = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(memory)[0..<bytes.count])
    }

    deinit {
        UnsafeMutableRawPointer(mutating: buffer.baseAddress!).deallocate()
    }

    var count: Int { buffer.count }
    var array: [UInt8] { Array(buffer) }
}
