// kubeconfig loading: any file parses into settings or fails with an error, and no error ever
// repeats a token, password or key from the file (errors are printed and logged).
import Basics
@testable import Cluster
import YAML

let kubeconfigHarness = Harness(
    name: "kubeconfig",
    checks: "kubeconfigs load or fail with an error that never shows a credential"
) { bytes in
    // A folder that does not exist: relative certificate and token paths read nothing.
    let file = "/nonexistent-fuzz/kubeconfig"
    let config: KubeConfig
    do throws(ClusterError) { config = try KubeConfig.parse(bytes, file: file) } catch { return check(error, bytes) }
    for context in [nil] + config.contexts.keys.sorted() {
        do throws(ClusterError) { _ = try config.connection(context: context) } catch { check(error, bytes) }
    }
}

private func check(_ error: ClusterError, _ bytes: [UInt8]) {
    guard let value = try? YAML.value(String(decoding: bytes, as: UTF8.self)) else { return }
    let message = "\(error)"
    // A credential that is also part of a name or another field may be shown as that.
    let others = otherStrings(in: value)
    for secret in credentials(in: value) where secret.count >= 6 && message.contains(secret) && !others.contains(where: { $0.contains(secret) }) {
        failed("an error shows a credential", "credential \(secret)\nerror: \(message)")
    }
}

/// Every key, and every string not under a credential key.
private func otherStrings(in value: Value) -> [String] {
    switch value {
    case .object(let object):
        return object.flatMap { key, child in [key] + (credentialKeys.contains(key) ? [] : otherStrings(in: child)) }
    case .array(let items): return items.flatMap(otherStrings)
    case .string(let text): return [text]
    default: return []
    }
}

private let credentialKeys: Set = ["token", "password", "client-key-data", "client-certificate-data", "value"]

/// The strings under keys a kubeconfig keeps credentials in.
private func credentials(in value: Value) -> [String] {
    switch value {
    case .object(let object):
        return object.flatMap { key, child in
            credentialKeys.contains(key) ? (child.stringValue.map { [$0] } ?? []) + credentials(in: child) : credentials(in: child)
        }
    case .array(let items): return items.flatMap(credentials)
    default: return []
    }
}
