import Foundation
import Git
import Testing

@Suite struct RemoteCredentialsTests {
    @Test func tokenFromTheEnvironmentOrAFile() throws {
        let file = NSTemporaryDirectory() + "token-" + UUID().uuidString
        try "s3cret-token\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(RemoteCredentials.fromEnvironment(["GITOPS_GIT_TOKEN_FILE": file]).token == "s3cret-token", "trailing newline trimmed")
        #expect(RemoteCredentials.fromEnvironment(["GITOPS_GIT_TOKEN": "direct", "GITOPS_GIT_TOKEN_FILE": file]).token == "direct")
        #expect(RemoteCredentials.fromEnvironment(["GITOPS_GIT_TOKEN_FILE": file + ".missing"]).token == nil)
        let ssh = RemoteCredentials.fromEnvironment(["GITOPS_SSH_KEY": "/keys/id", "GITOPS_SSH_PASSPHRASE": "p"])
        #expect(ssh.sshKey == "/keys/id" && ssh.sshPassphrase == "p" && ssh.token == nil)
    }
}
