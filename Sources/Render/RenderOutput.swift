import Basics
import KubeModel
import YAML

/// Text forms of rendered objects.
public enum RenderOutput {
    /// A YAML stream: each object as a document starting with `---` and a `# Source:` line.
    public static func yaml(_ objects: [Object]) -> String {
        var out = ""
        for object in objects {
            out += "---\n# Source: \(object.provenance.release)/\(object.provenance.file)\n"
            out += YAMLEmitter.emit(.object(object.content))
        }
        return out
    }

    /// One JSON array of the objects.
    public static func json(_ objects: [Object]) -> String {
        JSONWriter.write(.array(objects.map { .object($0.content) })) + "\n"
    }
}
