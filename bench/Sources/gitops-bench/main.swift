import Basics
import Foundation
import Git
import YAML

/// `gitops-bench yaml FILE [REPEAT]`: parse FILE into node values, best of REPEAT runs.
/// `gitops-bench git REPO REVISION [REPEAT]`: read every file of REVISION's tree from Git objects.
/// Prints one line: `<what> <seconds> <detail>`.

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func countNodes(_ node: Node) -> Int {
    switch node.content {
    case .scalar: return 1
    case .sequence(let items): return 1 + items.reduce(0) { $0 + countNodes($1) }
    case .mapping(let pairs): return 1 + pairs.reduce(0) { $0 + countNodes($1.key) + countNodes($1.value) }
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "yaml" where arguments.count >= 2:
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: arguments[1])))
        let repeats = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
        var best = Double.infinity
        var documents = 0
        var nodes = 0
        var parsed: [Node] = []
        for _ in 0..<repeats {
            parsed = []  // free the previous tree outside the timed part
            best = min(best, try seconds { parsed = try YAMLParser.parse(bytes, file: arguments[1]) })
            documents = parsed.count
            nodes = parsed.reduce(0) { $0 + countNodes($1) }
        }
        let megabytes = Double(bytes.count) / 1_000_000
        print(String(format: "swift-nodes %.3f s %.1f MB/s (%d documents, %d nodes)", best, megabytes / best, documents, nodes))
    case "git" where arguments.count >= 3:
        let repository = try Repository(discoveringFrom: arguments[1])
        let repeats = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3
        var best = Double.infinity
        var files = 0
        var bytes = 0
        for _ in 0..<repeats {
            best = min(best, try seconds {
                let tree = try repository.tree(at: arguments[2])
                let paths = try tree.files(under: "")
                files = paths.count
                bytes = 0
                for path in paths { bytes += try tree.read(path).count }
            })
        }
        print(String(format: "swift-gittree %.3f s (%d files, %d bytes)", best, files, bytes))
    default:
        FileHandle.standardError.write(Data("usage: gitops-bench yaml FILE [REPEAT] | git REPO REVISION [REPEAT]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("gitops-bench: \(error)\n".utf8))
    exit(2)
}
