import Synchronization

/// Analysed pictures kept for reuse: a transform that formats every record with the same picture analyses it once.
///
/// Bounded (cleared when full) and shared across threads behind a mutex; failures are not cached.
enum PictureCache {
    private struct NumberKey: Hashable, Sendable {
        var picture: String
        var format: DecimalFormat
    }

    private static let limit = 128
    private static let numbers = Mutex<[NumberKey: NumberPicture]>([:])
    private static let dateTimes = Mutex<[String: DateTimePicture]>([:])

    /// The analysed `fn:format-number` picture.
    static func numberPicture(_ picture: String, format: DecimalFormat) throws(JSONataError) -> NumberPicture {
        let key = NumberKey(picture: picture, format: format)
        if let cached = numbers.withLock({ $0[key] }) { return cached }
        let analysed = try NumberPicture(picture, format: format)
        numbers.withLock { cache in
            if cache.count >= limit { cache.removeAll(keepingCapacity: true) }
            cache[key] = analysed
        }
        return analysed
    }

    /// The analysed `fn:format-dateTime` picture.
    static func dateTimePicture(_ picture: String) throws(JSONataError) -> DateTimePicture {
        if let cached = dateTimes.withLock({ $0[picture] }) { return cached }
        let analysed = try DateTimePicture(picture)
        dateTimes.withLock { cache in
            if cache.count >= limit { cache.removeAll(keepingCapacity: true) }
            cache[picture] = analysed
        }
        return analysed
    }
}
