import JSONValue

/// The decimal-format properties of `fn:format-number` (XPath F&O 3.1 §4.7.1), which `$formatNumber`'s
/// third argument overrides by name (`{"decimal-separator": ",", "grouping-separator": "."}`).
struct DecimalFormat: Sendable, Hashable {
    var decimalSeparator = "."
    var groupingSeparator = ","
    var exponentSeparator = "e"
    var infinity = "Infinity"
    var minusSign = "-"
    var notANumber = "NaN"
    var percent = "%"
    var perMille = "\u{2030}"
    var zeroDigit = "0"
    var digit = "#"
    var patternSeparator = ";"

    /// The defaults, with the string members of `options` replacing the properties they name.
    init(options: JSON? = nil) {
        guard case .object(let object)? = options else { return }
        for (key, value) in object {
            guard case .string(let s) = value else { continue }
            switch key {
            case "decimal-separator": decimalSeparator = s
            case "grouping-separator": groupingSeparator = s
            case "exponent-separator": exponentSeparator = s
            case "infinity": infinity = s
            case "minus-sign": minusSign = s
            case "NaN": notANumber = s
            case "percent": percent = s
            case "per-mille": perMille = s
            case "zero-digit": zeroDigit = s
            case "digit": digit = s
            case "pattern-separator": patternSeparator = s
            default: break
            }
        }
    }

    /// The ten digits starting at `zero-digit`.
    var digitFamily: [Character] {
        let ascii = Array("0123456789")
        guard let zero = zeroDigit.unicodeScalars.first else { return ascii }
        let family = (0..<10).compactMap { Unicode.Scalar(zero.value + UInt32($0)).map(Character.init) }
        return family.count == 10 ? family : ascii
    }
}
