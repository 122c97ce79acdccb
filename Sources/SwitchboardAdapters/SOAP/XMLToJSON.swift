import JSONValue

/// Converts XML elements to JSON the way SOAP results read best.
///
/// - An element with only text becomes a string (numbers and booleans stay strings: XML carries no types
///   without the schema); an empty element becomes `""`, and `xsi:nil="true"` makes it `null`.
/// - An element with child elements becomes an object keyed by the children's local names (namespace prefixes
///   are dropped); a name that repeats becomes an array, in document order.
/// - Attributes become `@name` members (namespace declarations and `xsi:` attributes such as `xsi:type` are
///   left out); the text of an element that also has attributes or children becomes `#text` (trimmed when the
///   element has children, and left out when it is only white space).
///
/// Example: `<u id="7"><tag>a</tag><tag>b</tag><name>Ada</name></u>` gives
/// `{"@id": "7", "tag": ["a", "b"], "name": "Ada"}`.
public enum XMLToJSON {
    public static let xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

    /// The JSON value of `element`'s content (its name is not included).
    public static func value(of element: XMLReader.Element) -> JSON {
        if let nilFlag = element.attribute("nil", namespace: xsiNamespace), nilFlag == "true" || nilFlag == "1" { return .null }
        let attributes = element.attributes.filter { $0.namespace != xsiNamespace }
        if attributes.isEmpty && element.children.isEmpty { return .string(element.text) }
        var object = JSONObject(minimumCapacity: attributes.count + element.children.count + 1)
        for a in attributes { object["@" + a.localName] = .string(a.value) }
        // Group children by local name, keeping the order in which names first appear.
        var positions: [String: Int] = [:]
        var groups: [(name: String, values: [JSON])] = []
        for child in element.children {
            let v = value(of: child)
            if let p = positions[child.localName] {
                groups[p].values.append(v)
            } else {
                positions[child.localName] = groups.count
                groups.append((child.localName, [v]))
            }
        }
        for (name, values) in groups { object[name] = values.count == 1 ? values[0] : .array(values) }
        let text = element.children.isEmpty ? element.text : element.text.trimmingXMLSpace()
        if !text.isEmpty && !text.allSatisfy(\.isXMLSpace) { object["#text"] = .string(text) }
        return .object(object)
    }

    /// `value` with the members at `paths` turned into arrays when they hold a single value: XML cannot tell a
    /// list of one from a lone element, so a method names the paths that are lists.
    ///
    /// A path is local names joined by dots, relative to `value`; arrays met on the way apply the rest of the path
    /// to each item; a member that is absent stays absent. Example: `["GetUserResult.tags.string"]` turns
    /// `{"GetUserResult": {"tags": {"string": "solo"}}}` into `{"GetUserResult": {"tags": {"string": ["solo"]}}}`.
    public static func forcingArrays(_ value: JSON, at paths: [String]) -> JSON {
        var v = value
        for path in paths { v = forcingArray(v, path: path.split(separator: ".").map(String.init)[...]) }
        return v
    }

    static func forcingArray(_ value: JSON, path: ArraySlice<String>) -> JSON {
        guard let key = path.first else { return value }
        switch value {
        case .array(let items):
            return .array(items.map { forcingArray($0, path: path) })
        case .object(var o):
            guard let child = o[key] else { return value }
            if path.count > 1 {
                o[key] = forcingArray(child, path: path.dropFirst())
            } else if case .array = child {
                return value
            } else {
                o[key] = .array([child])
            }
            return .object(o)
        default:
            return value
        }
    }

    /// The document as JSON: `{rootLocalName: value}`.
    public static func convert(_ bytes: [UInt8], options: XMLReader.Options = .init()) throws(XMLReadError) -> JSON {
        let root = try XMLReader.parse(bytes, options: options)
        return .object([root.localName: value(of: root)])
    }
}

extension Character {
    var isXMLSpace: Bool { self == " " || self == "\t" || self == "\n" || self == "\r" || self == "\r\n" }
}

extension String {
    func trimmingXMLSpace() -> String {
        guard let first = firstIndex(where: { !$0.isXMLSpace }), let last = lastIndex(where: { !$0.isXMLSpace }) else { return "" }
        return String(self[first...last])
    }
}
