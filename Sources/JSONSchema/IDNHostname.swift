/// `idn-hostname`: RFC 5890/5891 labels, with the RFC 5892 contextual rules and A-label (Punycode) decoding.
///
/// Not the full IDNA2008 derived-property tables: non-ASCII code points are judged by their general
/// category (letters, marks and digits are valid) plus the RFC 5892 exceptions and contextual rules.
enum IDNHostname {
    static let separators: Set<UInt32> = [0x2E, 0x3002, 0xFF0E, 0xFF61]

    static func isValid(_ s: [Unicode.Scalar]) -> Bool {
        guard !s.isEmpty else { return false }
        var label: [Unicode.Scalar] = []
        for c in s {
            if separators.contains(c.value) {
                guard isLabel(label) else { return false }
                label.removeAll(keepingCapacity: true)
            } else {
                label.append(c)
            }
        }
        return isLabel(label) && s.count <= 253
    }

    static func isLabel(_ label: [Unicode.Scalar]) -> Bool {
        guard !label.isEmpty, label.count <= 63 else { return false }
        guard label.allSatisfy({ $0.isASCII }) else { return isULabel(label) }
        guard label.allSatisfy({ NetworkFormats.isAlphanumeric(UInt8($0.value)) || $0 == "-" }), label.first != "-", label.last != "-" else {
            return false
        }
        if label.count >= 4 && label[2] == "-" && label[3] == "-" {
            // Only "xn--" A-labels may have hyphens in positions 3 and 4; their Punycode must decode to a valid U-label.
            guard label[0] == "x" || label[0] == "X", label[1] == "n" || label[1] == "N" else { return false }
            guard let decoded = Punycode.decode(Array(label[4...])), !decoded.isEmpty else { return false }
            return isULabel(decoded)
        }
        return true
    }

    static let exceptionsValid: Set<UInt32> = [0x00DF, 0x03C2, 0x06FD, 0x06FE, 0x0F0B, 0x3007]
    static let exceptionsDisallowed: Set<UInt32> = [0x0640, 0x07FA, 0x302E, 0x302F, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303B]

    static func isMark(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    static func isULabel(_ label: [Unicode.Scalar]) -> Bool {
        guard !label.isEmpty, label.count <= 63, label.first != "-", label.last != "-" else { return false }
        if label.count >= 4 && label[2] == "-" && label[3] == "-" { return false }
        if isMark(label[0]) { return false }
        let hasArabicIndic = label.contains { (0x0660...0x0669).contains($0.value) }
        let hasExtendedArabicIndic = label.contains { (0x06F0...0x06F9).contains($0.value) }
        for (i, c) in label.enumerated() {
            let v = c.value
            if c.isASCII {
                guard NetworkFormats.isAlphanumeric(UInt8(v)) || c == "-" else { return false }
                continue
            }
            if exceptionsValid.contains(v) { continue }
            if exceptionsDisallowed.contains(v) { return false }
            let previous = i > 0 ? label[i - 1] : nil
            let next = i + 1 < label.count ? label[i + 1] : nil
            switch v {
            case 0x00B7:  // MIDDLE DOT: between two 'l'
                guard previous == "l", next == "l" else { return false }
            case 0x0375:  // GREEK KERAIA: followed by Greek
                guard let next, isGreek(next) else { return false }
            case 0x05F3, 0x05F4:  // HEBREW GERESH, GERSHAYIM: preceded by Hebrew
                guard let previous, (0x0590...0x05FF).contains(previous.value) else { return false }
            case 0x30FB:  // KATAKANA MIDDLE DOT: some Hiragana, Katakana or Han in the label
                guard label.contains(where: { $0.value != 0x30FB && isJapanese($0) }) else { return false }
            case 0x200D:  // ZERO WIDTH JOINER: after a virama
                guard let previous, previous.properties.canonicalCombiningClass == .virama else { return false }
            case 0x200C:  // ZERO WIDTH NON-JOINER: after a virama, or between joining (Arabic) letters
                if let previous, previous.properties.canonicalCombiningClass == .virama { continue }
                guard joins(label, before: i), joins(label, after: i) else { return false }
            case 0x0660...0x0669:
                if hasExtendedArabicIndic { return false }
            case 0x06F0...0x06F9:
                if hasArabicIndic { return false }
            default:
                switch c.properties.generalCategory {
                case .lowercaseLetter, .otherLetter, .modifierLetter, .nonspacingMark, .spacingMark, .decimalNumber: break
                default: return false
                }
            }
        }
        return true
    }

    static func isGreek(_ c: Unicode.Scalar) -> Bool {
        (0x0370...0x03FF).contains(c.value) || (0x1F00...0x1FFF).contains(c.value)
    }

    static func isJapanese(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return (0x3040...0x309F).contains(v) || (0x30A0...0x30FF).contains(v) || (0x31F0...0x31FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xF900...0xFAFF).contains(v)
            || (0x20000...0x2FFFF).contains(v)
    }

    /// A joining letter (approximated as an Arabic-script letter) before `i`, skipping transparent marks.
    static func joins(_ label: [Unicode.Scalar], before i: Int) -> Bool {
        var k = i - 1
        while k >= 0 && isMark(label[k]) { k -= 1 }
        return k >= 0 && isJoiningLetter(label[k])
    }

    static func joins(_ label: [Unicode.Scalar], after i: Int) -> Bool {
        var k = i + 1
        while k < label.count && isMark(label[k]) { k += 1 }
        return k < label.count && isJoiningLetter(label[k])
    }

    static func isJoiningLetter(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        let arabic =
            (0x0600...0x06FF).contains(v) || (0x0750...0x077F).contains(v) || (0x08A0...0x08FF).contains(v)
            || (0x0700...0x074F).contains(v) || (0x07C0...0x07FF).contains(v)
        return arabic && c.properties.generalCategory == .otherLetter
    }
}

/// RFC 3492 Punycode decoding, for `xn--` A-labels.
enum Punycode {
    static func decode(_ input: [Unicode.Scalar]) -> [Unicode.Scalar]? {
        let base = 36
        let tMin = 1
        let tMax = 26
        var output: [Unicode.Scalar] = []
        var position = 0
        if let delimiter = input.lastIndex(of: "-") {
            for c in input[..<delimiter] {
                guard c.isASCII else { return nil }
                output.append(c)
            }
            position = delimiter + 1
        }
        var n = 128
        var i = 0
        var bias = 72
        while position < input.count {
            let oldI = i
            var w = 1
            var k = base
            while true {
                guard position < input.count, let digit = digitValue(input[position]) else { return nil }
                position += 1
                let (product, overflow) = digit.multipliedReportingOverflow(by: w)
                guard !overflow, i <= Int.max - product else { return nil }
                i += product
                let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if digit < t { break }
                let (nextW, overflowW) = w.multipliedReportingOverflow(by: base - t)
                guard !overflowW else { return nil }
                w = nextW
                k += base
            }
            let count = output.count + 1
            bias = adapt(i - oldI, count, oldI == 0)
            n += i / count
            i %= count
            guard n <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(n)) else { return nil }
            output.insert(scalar, at: i)
            i += 1
        }
        return output
    }

    static func digitValue(_ c: Unicode.Scalar) -> Int? {
        switch c {
        case "0"..."9": Int(c.value) - 0x30 + 26
        case "a"..."z": Int(c.value) - 0x61
        case "A"..."Z": Int(c.value) - 0x41
        default: nil
        }
    }

    static func adapt(_ delta: Int, _ count: Int, _ first: Bool) -> Int {
        var delta = first ? delta / 700 : delta / 2
        delta += delta / count
        var k = 0
        while delta > ((36 - 1) * 26) / 2 {
            delta /= 36 - 1
            k += 36
        }
        return k + (36 - 1 + 1) * delta / (delta + 38)
    }
}
