import Crypto
import Foundation
@testable import Sync
import Testing

/// The sync job's webhook checks: a push is accepted only with the MAC of its body under the
/// configured secret (GitHub's and the generic header) or the token itself (GitLab's).
@Suite struct WebhookSignatureTests {
    static let secret = "webhook-test-secret"
    static let body = Array(#"{"ref": "refs/heads/main", "after": "abc"}"#.utf8)
    static var mac: String {
        HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    static func accepts(_ kind: String, _ header: String, _ value: String, secret: String? = secret) -> Bool {
        SyncHTTPServer.authorized(kind: kind, headers: [header: value], body: body, secret: secret)
    }

    @Test func theRightMACIsAcceptedInAnyCase() {
        for prefix in ["sha256=", "SHA256=", "shA256="] {
            #expect(Self.accepts("github", "x-hub-signature-256", prefix + Self.mac))
            #expect(Self.accepts("generic", "x-gitops-signature", prefix + Self.mac.uppercased()))
        }
        #expect(Self.accepts("gitlab", "x-gitlab-token", Self.secret))
    }

    @Test func anythingElseIsRefused() {
        var wrong = Array(Self.mac)
        wrong[10] = wrong[10] == "0" ? "1" : "0"
        #expect(!Self.accepts("github", "x-hub-signature-256", "sha256=" + String(wrong)))
        #expect(!Self.accepts("github", "x-hub-signature-256", "sha1=" + Self.mac))
        #expect(!Self.accepts("github", "x-hub-signature-256", Self.mac))
        #expect(!Self.accepts("github", "x-gitops-signature", "sha256=" + Self.mac), "the generic header for GitHub")
        #expect(!Self.accepts("gitlab", "x-gitlab-token", Self.secret.uppercased()))
        #expect(!Self.accepts("other", "x-gitops-signature", "sha256=" + Self.mac))
        #expect(!Self.accepts("github", "x-hub-signature-256", "sha256=" + Self.mac, secret: nil))
        #expect(!Self.accepts("gitlab", "x-gitlab-token", "", secret: ""))
    }
}
