/// The state part of `/metrics`, rendered and compressed once per state change and then served to every
/// scrape as is: the plain text and the gzip prefix (see `Gzip`).
final class Exposition: Sendable {
    /// Increases with every render; the live part caches its gzip tail per generation.
    let generation: UInt64
    let plain: ImmutableBytes
    let gzipPrefix: ImmutableBytes
    let prefixInfo: Gzip.Prefix.Info

    init(generation: UInt64, plain: [UInt8]) throws(GzipError) {
        self.generation = generation
        self.plain = ImmutableBytes(plain)
        let prefix = try Gzip.prefix(plain)
        gzipPrefix = ImmutableBytes(prefix.bytes)
        prefixInfo = prefix.info
    }
}
