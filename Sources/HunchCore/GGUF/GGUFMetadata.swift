/// Typed access to metadata values, throwing errors that name the key.
extension GGUFFile {
    public func value(_ key: String) -> GGUFValue? { metadata[key] }

    public func int(_ key: String) throws(GGUFError) -> Int {
        guard let value = metadata[key] else { throw .missingKey(key: key) }
        guard let int = value.intValue else {
            throw .wrongValueType(key: key, expected: "integer", found: value.type.name)
        }
        return int
    }

    public func optionalInt(_ key: String) throws(GGUFError) -> Int? {
        metadata[key] == nil ? nil : try int(key)
    }

    public func double(_ key: String) throws(GGUFError) -> Double {
        guard let value = metadata[key] else { throw .missingKey(key: key) }
        guard let double = value.doubleValue else {
            throw .wrongValueType(key: key, expected: "float32", found: value.type.name)
        }
        return double
    }

    public func optionalDouble(_ key: String) throws(GGUFError) -> Double? {
        metadata[key] == nil ? nil : try double(key)
    }

    public func string(_ key: String) throws(GGUFError) -> String {
        guard let value = metadata[key] else { throw .missingKey(key: key) }
        guard let string = value.stringValue else {
            throw .wrongValueType(key: key, expected: "string", found: value.type.name)
        }
        return string
    }

    public func optionalString(_ key: String) throws(GGUFError) -> String? {
        metadata[key] == nil ? nil : try string(key)
    }

    public func optionalBool(_ key: String) throws(GGUFError) -> Bool? {
        guard let value = metadata[key] else { return nil }
        guard let bool = value.boolValue else {
            throw .wrongValueType(key: key, expected: "bool", found: value.type.name)
        }
        return bool
    }

    public func array(_ key: String) throws(GGUFError) -> GGUFArray {
        guard let value = metadata[key] else { throw .missingKey(key: key) }
        guard case .array(let array) = value else {
            throw .wrongValueType(key: key, expected: "array", found: value.type.name)
        }
        return array
    }

    public func optionalArray(_ key: String) throws(GGUFError) -> GGUFArray? {
        metadata[key] == nil ? nil : try array(key)
    }

    public func stringArray(_ key: String) throws(GGUFError) -> [String] {
        let array = try array(key)
        guard case .string(let strings) = array else {
            throw .wrongValueType(key: key, expected: "array of string", found: "array of \(array.elementTypeName)")
        }
        return strings
    }

    /// The architecture name (`general.architecture`), e.g. "llama" or "qwen2".
    public func architecture() throws(GGUFError) -> String {
        try string("general.architecture")
    }
}
