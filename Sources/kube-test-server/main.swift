import ArgumentParser
import Foundation
import Basics
import KubeTestServer
import Validation
import YAML

/// A Kubernetes API server in memory, for tests. Not a cluster: nothing runs, objects are kept in
/// memory until the process ends.
struct KubeTestServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-test-server",
        abstract: "A Kubernetes API server in memory, for tests (a test double, not a cluster).",
        discussion: """
        Listens on 127.0.0.1 over HTTPS with a CA made at start-up and a bearer token, serves discovery, \
        storage, server defaults, server-side apply and dry runs, and writes a kubeconfig for itself once \
        it is listening. Runs until SIGTERM or SIGINT. Objects live in memory only.
        """)

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Write the kubeconfig here (default: print it on stdout).")
    var kubeconfig: String?

    @Option(name: .customLong("apply"), help: "Apply the objects of this YAML file at start-up, before the kubeconfig is written (what a cluster's owners install, such as operators' CRDs); repeatable.")
    var preload: [String] = []

    @Option(help: "Validate written fields (kubectl's fieldValidation=Strict or Warn) against the Kubernetes JSON schemas in this folder (kubeconform's layout, or per-version folders); CRDs' schemas are used for custom resources. Default: the schemas scripts/link-schemas links, if there are any.")
    var schemas: String?

    func run() throws {
        let server = try KubeTestHTTPSServer(port: port)
        if let folder = SchemaCatalog.versionFolder(in: schemas ?? SchemaCatalog.linkedHome, kubernetesVersion: "1.32", strict: false) {
            let catalog = SchemaCatalog(folders: [folder], kubernetesFolder: folder)
            server.api.checkFields { object, definition in UnknownFields.of(object, definition: definition, catalog: catalog) }
        } else if let schemas {
            FileHandle.standardError.write(Data("kube-test-server: --schemas '\(schemas)' has no JSON schemas\n".utf8))
            throw ExitCode(2)
        }
        do {
            for file in preload { try Self.apply(file, to: server.api) }
        } catch {
            server.shutdown()
            FileHandle.standardError.write(Data("kube-test-server: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let config = server.kubeconfig()
        if let kubeconfig {
            // Written whole, then renamed: a reader never sees half a file.
            let temporary = kubeconfig + ".tmp-\(getpid())"
            try config.write(toFile: temporary, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temporary)
            guard rename(temporary, kubeconfig) == 0 else {
                throw ValidationError("cannot write the kubeconfig to \(kubeconfig): \(String(cString: strerror(errno)))")
            }
            FileHandle.standardError.write(Data("kube-test-server listening on https://127.0.0.1:\(server.port); kubeconfig in \(kubeconfig)\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(config.utf8))
        }
        let stop = DispatchSemaphore(value: 0)
        TerminationSignals.handle { stop.signal() }
        stop.wait()
        server.shutdown()
    }

    /// Applies every object of a YAML file; the first one the server refuses stops it, named with
    /// its file, line and column.
    static func apply(_ file: String, to api: KubeAPI) throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file): \(String(cString: strerror(errno))); --apply takes a YAML file of Kubernetes objects")
        }
        for node in try YAMLParser.parse(Array(data), file: file) {
            guard case .object(let object) = try node.value(schema: .kubernetes, file: file) else { continue }
            let response = api.preload(object)
            guard (200..<300).contains(response.status) else {
                let message = (try? JSONReader.values(String(decoding: response.body, as: UTF8.self)).first?["message"]?.stringValue) ?? nil
                throw ValidationError("\(node.location(file)): \(object["kind"]?.stringValue ?? "?") \(object["metadata"]?["name"]?.stringValue ?? "?") was not applied: \(message ?? "HTTP \(response.status)")")
            }
        }
    }
}

KubeTestServerCommand.main()
