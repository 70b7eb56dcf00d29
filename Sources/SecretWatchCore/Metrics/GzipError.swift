/// A failed zlib call: its return code, zlib's message and what was being done.
struct GzipError: Error, Sendable, CustomStringConvertible {
    let code: Int32
    let message: String
    let context: String
    var description: String { "zlib error \(code) while \(context): \(message)" }
}
