import JSONValue

/// Layers resilience settings: connection-level overrides on top of method-level on top of definition-level.
///
/// Merging happens on the JSON, before decoding, so an override only changes the fields it names:
/// objects merge key by key (recursively); arrays, numbers, strings and booleans replace; an explicit
/// `null` removes the setting below it (back to the default).
///
/// ```swift
/// let merged = ResilienceMerging.merge([definitionLevel, methodLevel, connectionLevel])
/// let configuration = try ResilienceConfiguration(json: merged)
/// ```
public enum ResilienceMerging {
    /// Merges `layers` from lowest to highest precedence; `nil` layers are skipped.
    public static func merge(_ layers: [JSON?]) -> JSON {
        var result: JSON = .object(JSONObject())
        for layer in layers {
            guard let layer else { continue }
            result = merge(result, layer)
        }
        return result
    }

    /// `override` on top of `base`.
    public static func merge(_ base: JSON, _ override: JSON) -> JSON {
        guard case .object(let over) = override else { return override }
        guard case .object(var merged) = base else { return .object(over.filteringNulls()) }
        for (key, value) in over {
            if value.isNull {
                merged[key] = nil
            } else if let existing = merged[key] {
                merged[key] = merge(existing, value)
            } else {
                merged[key] = value.removingNulls()
            }
        }
        return .object(merged)
    }
}

extension JSON {
    fileprivate func removingNulls() -> JSON {
        if case .object(let o) = self { return .object(o.filteringNulls()) }
        return self
    }
}

extension JSONObject {
    fileprivate func filteringNulls() -> JSONObject {
        var out = JSONObject()
        for (k, v) in self where !v.isNull { out[k] = v.removingNulls() }
        return out
    }
}
