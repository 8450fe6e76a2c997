import ArgumentParser
import Foundation
import Basics
import KubeTestServer
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

    func run() throws {
        let server = try KubeTestHTTPSServer(port: port)
        for file in preload {
            let documents = try YAML.values(Array(try Data(contentsOf: URL(fileURLWithPath: file))), file: file)
            for case .object(let object) in documents {
                let response = server.api.preload(object)
                guard (200..<300).contains(response.status) else {
                    server.shutdown()
                    throw ValidationError("\(file): \(object["kind"]?.stringValue ?? "?") \(object["metadata"]?["name"]?.stringValue ?? "?") was not applied: HTTP \(response.status) \(String(decoding: response.body, as: UTF8.self))")
                }
            }
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
}

KubeTestServerCommand.main()
