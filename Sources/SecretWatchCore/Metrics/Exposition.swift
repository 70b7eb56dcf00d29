/// The state part of `/metrics`, published once per state change and then served to every scrape as is: the
/// gzip header, then the deflate segments in order (the credential families, reused from the last credential
/// change, and the rest, rendered now), each with its text unless that is large (see `DeflateSegment`).
final class Exposition: Sendable {
    static let gzipHeader = ImmutableBytes(Gzip.header)

    /// Increases with every render; the live part caches its gzip tail per generation.
    let generation: UInt64
    let segments: [DeflateSegment]
    /// CRC and length of all segments' text together (what the tail's gzip trailer continues).
    let prefixInfo: Gzip.Prefix.Info

    /// The text's length, whether it is kept or not.
    var plainLength: Int { prefixInfo.length }

    init(generation: UInt64, segments: [DeflateSegment]) {
        self.generation = generation
        self.segments = segments
        prefixInfo = segments.dropFirst().reduce(segments.first?.info ?? .init(crc: 0, length: 0)) { Gzip.combine($0, $1.info) }
    }

    /// Renders the state's small families now and puts them after its credential families.
    convenience init(generation: UInt64, state: MetricsState, plainLimit: Int = DeflateSegment.defaultPlainLimit) throws {
        let credentials = try state.credentialFamilies ?? CredentialFamilies.render([], plainLimit: plainLimit)
        let rest = try DeflateSegment.render(plainLimit: plainLimit) { state.render(into: &$0) }
        self.init(generation: generation, segments: credentials.segments + [rest])
    }

    /// The whole text, inflating what is not kept (the CLI and tests; scrapes stream it).
    func plainBytes() throws(GzipError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(plainLength)
        for segment in segments { out += try segment.plainBytes() }
        return out
    }
}
