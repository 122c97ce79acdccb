/// A Unicode property usable in `\p{...}` / `\P{...}`.
///
/// General categories and binary properties come from `Unicode.Scalar.Properties`;
/// scripts from ``ScriptData``. `Script_Extensions` is approximated by `Script`.
enum UnicodeProperty: Sendable, Hashable {
    /// A set of general categories, as a bit mask over ``categoryBit(_:)``.
    case generalCategory(UInt32)
    /// A binary property, by index into ``binaryProperties``.
    case binary(Int)
    /// A script, by index into ``ScriptData/entries``.
    case script(Int)

    /// Whether `c` has the property.
    func contains(_ c: UInt32) -> Bool {
        switch self {
        case .generalCategory(let mask):
            guard let scalar = Unicode.Scalar(c) else { return mask & (1 << 29) != 0 }  // surrogate: Cs
            return mask & (1 << UnicodeProperty.categoryBit(scalar.properties.generalCategory)) != 0
        case .binary(let index):
            return UnicodeProperty.binaryProperties[index].test(c)
        case .script(let index):
            return UnicodeProperty.scriptTables[index].contains(c)
        }
    }

    /// Resolves the text between the braces of `\p{...}`; nil when unknown.
    static func named(_ text: String) -> UnicodeProperty? {
        if let eq = text.firstIndex(of: "=") {
            let name = String(text[..<eq])
            let value = String(text[text.index(after: eq)...])
            switch name {
            case "General_Category", "gc":
                return categoryMasks[value].map { .generalCategory($0) }
            case "Script", "sc", "Script_Extensions", "scx":
                return scriptIndex[value].map { .script($0) }
            default:
                return nil
            }
        }
        if let mask = categoryMasks[text] { return .generalCategory(mask) }
        if let index = binaryIndex[text] { return .binary(index) }
        return nil
    }

    static func categoryBit(_ category: Unicode.GeneralCategory) -> UInt32 {
        switch category {
        case .uppercaseLetter: 0
        case .lowercaseLetter: 1
        case .titlecaseLetter: 2
        case .modifierLetter: 3
        case .otherLetter: 4
        case .nonspacingMark: 5
        case .spacingMark: 6
        case .enclosingMark: 7
        case .decimalNumber: 8
        case .letterNumber: 9
        case .otherNumber: 10
        case .connectorPunctuation: 11
        case .dashPunctuation: 12
        case .openPunctuation: 13
        case .closePunctuation: 14
        case .initialPunctuation: 15
        case .finalPunctuation: 16
        case .otherPunctuation: 17
        case .mathSymbol: 18
        case .currencySymbol: 19
        case .modifierSymbol: 20
        case .otherSymbol: 21
        case .spaceSeparator: 22
        case .lineSeparator: 23
        case .paragraphSeparator: 24
        case .control: 25
        case .format: 26
        case .privateUse: 27
        case .unassigned: 28
        case .surrogate: 29
        @unknown default: 28
        }
    }

    private static let categoryMasks: [String: UInt32] = {
        func bits(_ list: [UInt32]) -> UInt32 { list.reduce(0) { $0 | (1 << $1) } }
        let groups: [([String], UInt32)] = [
            (["Lu", "Uppercase_Letter"], bits([0])),
            (["Ll", "Lowercase_Letter"], bits([1])),
            (["Lt", "Titlecase_Letter"], bits([2])),
            (["LC", "Cased_Letter"], bits([0, 1, 2])),
            (["Lm", "Modifier_Letter"], bits([3])),
            (["Lo", "Other_Letter"], bits([4])),
            (["L", "Letter"], bits([0, 1, 2, 3, 4])),
            (["Mn", "Nonspacing_Mark"], bits([5])),
            (["Mc", "Spacing_Mark"], bits([6])),
            (["Me", "Enclosing_Mark"], bits([7])),
            (["M", "Mark", "Combining_Mark"], bits([5, 6, 7])),
            (["Nd", "Decimal_Number", "digit"], bits([8])),
            (["Nl", "Letter_Number"], bits([9])),
            (["No", "Other_Number"], bits([10])),
            (["N", "Number"], bits([8, 9, 10])),
            (["Pc", "Connector_Punctuation"], bits([11])),
            (["Pd", "Dash_Punctuation"], bits([12])),
            (["Ps", "Open_Punctuation"], bits([13])),
            (["Pe", "Close_Punctuation"], bits([14])),
            (["Pi", "Initial_Punctuation"], bits([15])),
            (["Pf", "Final_Punctuation"], bits([16])),
            (["Po", "Other_Punctuation"], bits([17])),
            (["P", "Punctuation", "punct"], bits([11, 12, 13, 14, 15, 16, 17])),
            (["Sm", "Math_Symbol"], bits([18])),
            (["Sc", "Currency_Symbol"], bits([19])),
            (["Sk", "Modifier_Symbol"], bits([20])),
            (["So", "Other_Symbol"], bits([21])),
            (["S", "Symbol"], bits([18, 19, 20, 21])),
            (["Zs", "Space_Separator"], bits([22])),
            (["Zl", "Line_Separator"], bits([23])),
            (["Zp", "Paragraph_Separator"], bits([24])),
            (["Z", "Separator"], bits([22, 23, 24])),
            (["Cc", "Control", "cntrl"], bits([25])),
            (["Cf", "Format"], bits([26])),
            (["Co", "Private_Use"], bits([27])),
            (["Cn", "Unassigned"], bits([28])),
            (["Cs", "Surrogate"], bits([29])),
            (["C", "Other"], bits([25, 26, 27, 28, 29])),
        ]
        var result: [String: UInt32] = [:]
        for (names, mask) in groups {
            for name in names { result[name] = mask }
        }
        return result
    }()

    /// A binary property test.
    struct BinaryProperty: Sendable {
        var names: [String]
        var test: @Sendable (UInt32) -> Bool
    }

    private static func scalarTest(_ body: @escaping @Sendable (Unicode.Scalar.Properties) -> Bool) -> @Sendable (UInt32) -> Bool {
        { c in Unicode.Scalar(c).map { body($0.properties) } ?? false }
    }

    static let binaryProperties: [BinaryProperty] = [
        BinaryProperty(names: ["Any"]) { _ in true },
        BinaryProperty(names: ["ASCII"]) { $0 < 0x80 },
        BinaryProperty(names: ["Assigned"], test: scalarTest { $0.generalCategory != .unassigned }),
        BinaryProperty(names: ["ASCII_Hex_Digit", "AHex"], test: scalarTest { $0.isASCIIHexDigit }),
        BinaryProperty(names: ["Alphabetic", "Alpha"], test: scalarTest { $0.isAlphabetic }),
        BinaryProperty(names: ["Bidi_Control", "Bidi_C"], test: scalarTest { $0.isBidiControl }),
        BinaryProperty(names: ["Bidi_Mirrored", "Bidi_M"], test: scalarTest { $0.isBidiMirrored }),
        BinaryProperty(names: ["Case_Ignorable", "CI"], test: scalarTest { $0.isCaseIgnorable }),
        BinaryProperty(names: ["Cased"], test: scalarTest { $0.isCased }),
        BinaryProperty(names: ["Changes_When_Casefolded", "CWCF"], test: scalarTest { $0.changesWhenCaseFolded }),
        BinaryProperty(names: ["Changes_When_Casemapped", "CWCM"], test: scalarTest { $0.changesWhenCaseMapped }),
        BinaryProperty(names: ["Changes_When_Lowercased", "CWL"], test: scalarTest { $0.changesWhenLowercased }),
        BinaryProperty(names: ["Changes_When_NFKC_Casefolded", "CWKCF"], test: scalarTest { $0.changesWhenNFKCCaseFolded }),
        BinaryProperty(names: ["Changes_When_Titlecased", "CWT"], test: scalarTest { $0.changesWhenTitlecased }),
        BinaryProperty(names: ["Changes_When_Uppercased", "CWU"], test: scalarTest { $0.changesWhenUppercased }),
        BinaryProperty(names: ["Dash"], test: scalarTest { $0.isDash }),
        BinaryProperty(names: ["Default_Ignorable_Code_Point", "DI"], test: scalarTest { $0.isDefaultIgnorableCodePoint }),
        BinaryProperty(names: ["Deprecated", "Dep"], test: scalarTest { $0.isDeprecated }),
        BinaryProperty(names: ["Diacritic", "Dia"], test: scalarTest { $0.isDiacritic }),
        BinaryProperty(names: ["Emoji"], test: scalarTest { $0.isEmoji }),
        BinaryProperty(names: ["Emoji_Modifier", "EMod"], test: scalarTest { $0.isEmojiModifier }),
        BinaryProperty(names: ["Emoji_Modifier_Base", "EBase"], test: scalarTest { $0.isEmojiModifierBase }),
        BinaryProperty(names: ["Emoji_Presentation", "EPres"], test: scalarTest { $0.isEmojiPresentation }),
        BinaryProperty(names: ["Extender", "Ext"], test: scalarTest { $0.isExtender }),
        BinaryProperty(names: ["Grapheme_Base", "Gr_Base"], test: scalarTest { $0.isGraphemeBase }),
        BinaryProperty(names: ["Grapheme_Extend", "Gr_Ext"], test: scalarTest { $0.isGraphemeExtend }),
        BinaryProperty(names: ["Hex_Digit", "Hex"], test: scalarTest { $0.isHexDigit }),
        BinaryProperty(names: ["IDS_Binary_Operator", "IDSB"], test: scalarTest { $0.isIDSBinaryOperator }),
        BinaryProperty(names: ["IDS_Trinary_Operator", "IDST"], test: scalarTest { $0.isIDSTrinaryOperator }),
        BinaryProperty(names: ["ID_Continue", "IDC"], test: scalarTest { $0.isIDContinue }),
        BinaryProperty(names: ["ID_Start", "IDS"], test: scalarTest { $0.isIDStart }),
        BinaryProperty(names: ["Ideographic", "Ideo"], test: scalarTest { $0.isIdeographic }),
        BinaryProperty(names: ["Join_Control", "Join_C"], test: scalarTest { $0.isJoinControl }),
        BinaryProperty(names: ["Logical_Order_Exception", "LOE"], test: scalarTest { $0.isLogicalOrderException }),
        BinaryProperty(names: ["Lowercase", "Lower"], test: scalarTest { $0.isLowercase }),
        BinaryProperty(names: ["Math"], test: scalarTest { $0.isMath }),
        BinaryProperty(names: ["Noncharacter_Code_Point", "NChar"], test: scalarTest { $0.isNoncharacterCodePoint }),
        BinaryProperty(names: ["Pattern_Syntax", "Pat_Syn"], test: scalarTest { $0.isPatternSyntax }),
        BinaryProperty(names: ["Pattern_White_Space", "Pat_WS"], test: scalarTest { $0.isPatternWhitespace }),
        BinaryProperty(names: ["Quotation_Mark", "QMark"], test: scalarTest { $0.isQuotationMark }),
        BinaryProperty(names: ["Radical"], test: scalarTest { $0.isRadical }),
        BinaryProperty(names: ["Regional_Indicator", "RI"]) { $0 >= 0x1F1E6 && $0 <= 0x1F1FF },
        BinaryProperty(names: ["Sentence_Terminal", "STerm"], test: scalarTest { $0.isSentenceTerminal }),
        BinaryProperty(names: ["Soft_Dotted", "SD"], test: scalarTest { $0.isSoftDotted }),
        BinaryProperty(names: ["Terminal_Punctuation", "Term"], test: scalarTest { $0.isTerminalPunctuation }),
        BinaryProperty(names: ["Unified_Ideograph", "UIdeo"], test: scalarTest { $0.isUnifiedIdeograph }),
        BinaryProperty(names: ["Uppercase", "Upper"], test: scalarTest { $0.isUppercase }),
        BinaryProperty(names: ["Variation_Selector", "VS"], test: scalarTest { $0.isVariationSelector }),
        BinaryProperty(names: ["White_Space", "space"], test: scalarTest { $0.isWhitespace }),
        BinaryProperty(names: ["XID_Continue", "XIDC"], test: scalarTest { $0.isXIDContinue }),
        BinaryProperty(names: ["XID_Start", "XIDS"], test: scalarTest { $0.isXIDStart }),
    ]

    private static let binaryIndex: [String: Int] = {
        var result: [String: Int] = [:]
        for (index, property) in binaryProperties.enumerated() {
            for name in property.names { result[name] = index }
        }
        return result
    }()

    private static let scriptIndex: [String: Int] = {
        var result: [String: Int] = [:]
        for (index, entry) in ScriptData.entries.enumerated() {
            for name in entry.names { result[name] = index }
        }
        return result
    }()

    /// Decoded script inversion lists, built on first use of any script property.
    private static let scriptTables: [InversionList] = ScriptData.entries.map { InversionList(hex: $0.inversionList) }
}

/// A sorted list of boundaries; a scalar is a member when it falls in an even-indexed run.
struct InversionList: Sendable {
    var boundaries: [UInt32]

    init(hex: String) {
        boundaries = hex.split(separator: " ").compactMap { UInt32($0, radix: 16) }
    }

    func contains(_ c: UInt32) -> Bool {
        // Number of boundaries <= c; odd means inside a member run.
        var lo = 0
        var hi = boundaries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if boundaries[mid] <= c { lo = mid + 1 } else { hi = mid }
        }
        return lo & 1 == 1
    }
}
