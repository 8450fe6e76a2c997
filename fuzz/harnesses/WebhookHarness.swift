// The sync job's webhook request checks: any headers and body are authorized or refused, and a
// push event's ref is read or ignored; a request is accepted only with the right signature.
import Basics
import Crypto
import Foundation
@testable import Sync

let webhookHarness = Harness(
    name: "webhook",
    checks: "webhook signatures and push bodies are judged without crashing; a wrong signature is never accepted"
) { bytes in
    let input = parts(bytes, 2)
    var headers: [String: String] = [:]
    for line in input[0].split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let body = Array(input[1].utf8)
    let secret = "fuzz-webhook-secret"
    let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
    let expected = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    for kind in ["github", "gitlab", "generic", "other"] {
        let accepted = SyncHTTPServer.authorized(kind: kind, headers: headers, body: body, secret: secret)
        let header: String? = switch kind {
        case "github": headers["x-hub-signature-256"]?.lowercased()
        case "generic": headers["x-gitops-signature"]?.lowercased()
        case "gitlab": headers["x-gitlab-token"]
        default: nil
        }
        let right = kind == "gitlab" ? header == secret : header == expected
        if accepted != right { failed("a \(kind) webhook was judged wrongly (accepted: \(accepted))", "\(headers)") }
        if SyncHTTPServer.authorized(kind: kind, headers: headers, body: body, secret: nil) {
            failed("a webhook was accepted with no secret configured", "\(headers)")
        }
    }
    _ = SyncHTTPServer.pushedRef(body)
}
