/// Alarm ids as people and programs write them: the canonical decimal form only (`1`, `42`), never `+1`, `01`,
/// `0` or a number beyond the store's 64-bit ids, so one alarm has one spelling in the CLI, the API and logs.
public enum AlarmID {
    public static func parse(_ text: String) -> Int64? {
        let bytes = text.utf8
        guard let first = bytes.first, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(first), bytes.count <= 19,
              bytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int64(text)
    }
}
