import Basics

/// What Helm reads of a rendered document to order its output (its `SimpleHead`): the top-level
/// `kind` and the `helm.sh/hook` annotation, read from libyaml's events without building a tree,
/// so a large document (a CRD) costs one scan. Fields Helm does not read are not resolved, as
/// yaml.v2 does not resolve the fields of a struct it skips.
public enum DocumentHead {
    /// One open collection.
    private struct Frame {
        var isMapping: Bool
        /// How it was entered: the key of the mapping value it is; "\u{0}" for a sequence item or a
        /// complex key (never matched); nil for the document's root.
        var entered: String?
        /// For a mapping: the key whose value comes next, once read.
        var key: String?
        var expectingValue = false
    }

    /// The head of the first document of `bytes`; nil when it does not parse (`YAMLParser.parse`
    /// of the same bytes then says why, in its words).
    public static func scan(_ bytes: [UInt8]) -> (kind: String?, hook: String?)? {
        let parser = LibYAMLParser(bytes: bytes)
        var frames: [Frame] = []
        var kind: String?, hook: String?
        var documents = 0
        /// Where a node that starts now sits: a key ("\u{0}" unless the key is read as a scalar
        /// right after), or the value of the current key.
        func place() -> (isKey: Bool, entry: String?) {
            guard let top = frames.last else { return (false, nil) }
            if top.isMapping && !top.expectingValue { return (true, nil) }
            if top.isMapping {
                frames[frames.count - 1].expectingValue = false
                return (false, top.key ?? "\u{0}")
            }
            return (false, "\u{0}")
        }
        func path(_ last: String) -> [String] { frames.compactMap(\.entered) + [last] }
        do {
            loop: while true {
                let event = try parser.advance()
                switch event {
                case .streamStart, .documentEnd: continue
                case .streamEnd: break loop
                case .documentStart:
                    documents += 1
                    if documents > 1 { break loop }
                case .scalar, .alias:
                    let (isKey, entry) = place()
                    let text = event == .scalar ? parser.scalar.0 : nil
                    if isKey {
                        frames[frames.count - 1].key = text
                        frames[frames.count - 1].expectingValue = true
                    } else if let entry, let text {
                        let at = path(entry)
                        if at == ["kind"] { kind = text }
                        if at == ["metadata", "annotations", "helm.sh/hook"] { hook = text }
                    }
                case .mappingStart, .sequenceStart:
                    let (isKey, entry) = place()
                    if isKey {
                        // A collection as a key: not one Helm reads.
                        frames[frames.count - 1].key = nil
                        frames[frames.count - 1].expectingValue = true
                    }
                    frames.append(Frame(isMapping: event == .mappingStart, entered: isKey ? "\u{0}" : entry))
                case .mappingEnd, .sequenceEnd:
                    frames.removeLast()
                }
            }
        } catch {
            return nil
        }
        return (kind, hook)
    }
}
