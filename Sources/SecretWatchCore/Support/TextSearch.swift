extension String {
    /// Every occurrence of `target` replaced by `replacement`, compared byte by byte (UTF-8): an exact match is
    /// always replaced, whatever characters surround it. An empty `target` changes nothing.
    func replacingEvery(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, let first = literalRange(of: target) else { return self }
        var out = String(self[..<first.lowerBound])
        out += replacement
        var rest = first.upperBound
        while let next = literalRange(of: target, from: rest) {
            out += self[rest..<next.lowerBound]
            out += replacement
            rest = next.upperBound
        }
        out += self[rest...]
        return out
    }

    /// The first range (from `start` on) whose Unicode scalars are those of `target`; nil when there is none.
    /// Literal: a combining mark after the match does not hide it.
    func literalRange(of target: String, from start: Index? = nil) -> Range<Index>? {
        let scalars = unicodeScalars
        let from = start ?? scalars.startIndex
        return scalars[from...].firstRange(of: target.unicodeScalars)
    }
}

extension String {
    /// Equal once both are lowercased (identifiers such as tenant and application IDs, which are ASCII GUIDs).
    func equalsIgnoringCase(_ other: String) -> Bool {
        self == other || lowercased() == other.lowercased()
    }

    /// Exactly `width` characters: cut, or padded with spaces on the right (a column of a text table).
    public func fitted(to width: Int) -> String {
        count >= width ? String(prefix(width)) : self + String(repeating: " ", count: width - count)
    }
}
