internal import CSecretWatchYAML

/// One libyaml parser over a UTF-8 buffer, read event by event (`yaml_parser_parse`). Anchors, aliases and
/// explicit tags are refused here, so every event it hands out is plain data: a scalar, the start or end of a
/// collection or document. A scalar's bytes stay valid until the next call of `next()`.
///
/// The parser holds raw C state and a pointer into the caller's buffer: it is used on one thread, inside the
/// caller's `withUnsafeBufferPointer`, and never escapes it.
final class YAMLEventParser {
    enum Kind: Equatable {
        case streamStart, streamEnd, documentStart, documentEnd
        case scalar, sequenceStart, sequenceEnd, mappingStart, mappingEnd
    }

    struct Event {
        var kind: Kind
        var mark: YAMLMark
        /// Scalars only: the text's bytes (valid until the next event) and style.
        var value: UnsafeBufferPointer<UInt8> = UnsafeBufferPointer(start: nil, count: 0)
        var style: YAMLNode.ScalarStyle = .plain
    }

    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
    private var holdsEvent = false
    private let input: UnsafeBufferPointer<UInt8>

    init(_ input: UnsafeBufferPointer<UInt8>) throws(YAMLError) {
        // libyaml reads `size` bytes from a pointer it never writes; an empty buffer may have no base address.
        let empty: StaticString = ""
        guard let parser = sw_yaml_parser_new(input.baseAddress ?? empty.utf8Start, input.count) else {
            event.deallocate()
            throw YAMLError.memory
        }
        self.parser = parser
        self.input = input
    }

    deinit {
        if holdsEvent { yaml_event_delete(event) }
        event.deallocate()
        sw_yaml_parser_free(parser)
    }

    func next() throws(YAMLError) -> Event {
        if holdsEvent {
            yaml_event_delete(event)
            holdsEvent = false
        }
        guard sw_yaml_parser_next(parser, event) != 0 else { throw failure() }
        holdsEvent = true
        let mark = YAMLMark(line: sw_yaml_event_line(event) + 1, column: sw_yaml_event_column(event) + 1)
        let type = yaml_event_type_t(UInt32(sw_yaml_event_type(event)))
        if type == YAML_ALIAS_EVENT {
            throw YAMLError.alias(Self.text(sw_yaml_event_anchor(event)), at: mark)
        }
        if let anchor = sw_yaml_event_anchor(event) {
            throw YAMLError.anchor(String(cString: anchor), at: mark)
        }
        if let tag = sw_yaml_event_tag(event) {
            throw YAMLError.tag(Self.shorthand(String(cString: tag)), at: mark)
        }
        switch type {
        case YAML_STREAM_START_EVENT: return Event(kind: .streamStart, mark: mark)
        case YAML_STREAM_END_EVENT: return Event(kind: .streamEnd, mark: mark)
        case YAML_DOCUMENT_START_EVENT: return Event(kind: .documentStart, mark: mark)
        case YAML_DOCUMENT_END_EVENT: return Event(kind: .documentEnd, mark: mark)
        case YAML_SEQUENCE_START_EVENT: return Event(kind: .sequenceStart, mark: mark)
        case YAML_SEQUENCE_END_EVENT: return Event(kind: .sequenceEnd, mark: mark)
        case YAML_MAPPING_START_EVENT: return Event(kind: .mappingStart, mark: mark)
        case YAML_MAPPING_END_EVENT: return Event(kind: .mappingEnd, mark: mark)
        default:
            let value = UnsafeBufferPointer(start: sw_yaml_event_scalar_value(event), count: sw_yaml_event_scalar_length(event))
            return Event(kind: .scalar, mark: mark, value: value, style: Self.style(sw_yaml_event_scalar_style(event)))
        }
    }

    /// libyaml's error, with its position: scanner and parser errors carry a mark, reader errors (bad UTF-8, a
    /// character YAML forbids) a byte offset, turned into a line and column here.
    private func failure() -> YAMLError {
        let problem = sw_yaml_parser_problem(parser).map { String(cString: $0) } ?? "unknown problem"
        switch yaml_error_type_t(UInt32(sw_yaml_parser_error(parser))) {
        case YAML_MEMORY_ERROR:
            return YAMLError.memory
        case YAML_READER_ERROR:
            let value = sw_yaml_parser_problem_value(parser)
            let shown = value < 0 ? problem : "\(problem) (\(Self.hex(value, octet: problem.contains("octet"))))"
            return YAMLError.encoding(shown, at: position(ofByte: sw_yaml_parser_problem_offset(parser)))
        default:
            let mark = YAMLMark(line: sw_yaml_parser_problem_line(parser) + 1, column: sw_yaml_parser_problem_column(parser) + 1)
            let context = sw_yaml_parser_context(parser).map { String(cString: $0) }
            return YAMLError.syntax(problem, context: context, at: mark)
        }
    }

    /// Line and column (in characters) of a byte offset of the input.
    private func position(ofByte offset: Int) -> YAMLMark {
        let end = min(offset, input.count)
        var line = 1
        var lineStart = 0
        for index in 0..<end where input[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        // Count characters, not bytes: UTF-8 continuation bytes (10xxxxxx) do not start one.
        let column = input[lineStart..<end].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return YAMLMark(line: line, column: column)
    }

    /// A reader problem's value: the byte for the UTF-8 problems ("octet"), else the character's code point.
    private static func hex(_ value: Int32, octet: Bool) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        let width = octet ? 2 : 4
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return octet ? "byte 0x" + padded : "U+" + padded
    }

    private static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    /// "tag:yaml.org,2002:str" as it was written: "!!str".
    private static func shorthand(_ tag: String) -> String {
        let standard = "tag:yaml.org,2002:"
        return tag.hasPrefix(standard) ? "!!" + tag.dropFirst(standard.count) : tag
    }

    private static func style(_ raw: Int32) -> YAMLNode.ScalarStyle {
        switch yaml_scalar_style_t(UInt32(raw)) {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }
}
