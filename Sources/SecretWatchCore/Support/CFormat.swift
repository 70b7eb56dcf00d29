import Glibc

extension String {
    /// `printf`-style formatting by the C library (`vsnprintf`, C locale: `.` as decimal point), for the few
    /// fixed number layouts the product prints (`%.3f`, `%02X`, `%012d`).
    init(cFormat format: String, _ arguments: any CVarArg...) {
        let first = Self.render(format, arguments, capacity: 128)
        self = first.needed < 128 ? first.text : Self.render(format, arguments, capacity: first.needed + 1).text
    }

    private static func render(_ format: String, _ arguments: [any CVarArg], capacity: Int) -> (text: String, needed: Int) {
        var buffer = [CChar](repeating: 0, count: capacity)
        let needed = Int(withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) })
        let count = Swift.max(0, Swift.min(needed, capacity - 1))
        return (String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self), needed)
    }
}
