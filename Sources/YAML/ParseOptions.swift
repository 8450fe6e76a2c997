/// How scalars resolve to values.
public enum ScalarSchema: Sendable, Hashable {
    /// YAML 1.1 as Kubernetes and Helm read it (sigs.k8s.io/yaml over go-yaml v2):
    /// `yes/no/on/off/y/n` are booleans, `0777` is octal, `_` separators in numbers.
    case kubernetes
    /// The YAML 1.2 core schema (what yaml-test-suite expects).
    case core
}

/// Options for parsing a YAML stream.
public struct ParseOptions: Sendable, Hashable {
    public var schema: ScalarSchema
    /// Whether a key written twice in one mapping is accepted (the last one wins), as Helm does for values.
    public var allowDuplicateKeys: Bool
    /// Whether `<<` keys merge mappings into the mapping holding them (YAML 1.1 merge keys).
    public var mergeKeys: Bool
    /// Deepest nesting of collections accepted.
    public var maxDepth: Int
    /// Most nodes that alias expansion may produce in one document (stops "billion laughs" inputs).
    public var maxAliasExpansion: Int

    public init(schema: ScalarSchema = .kubernetes, allowDuplicateKeys: Bool = false, mergeKeys: Bool = true,
                maxDepth: Int = 512, maxAliasExpansion: Int = 1_000_000) {
        self.schema = schema
        self.allowDuplicateKeys = allowDuplicateKeys
        self.mergeKeys = mergeKeys
        self.maxDepth = maxDepth
        self.maxAliasExpansion = maxAliasExpansion
    }

    /// The toolkit's own files and Kubernetes manifests: Kubernetes resolution, duplicate keys are errors.
    public static let kubernetes = ParseOptions()
}
