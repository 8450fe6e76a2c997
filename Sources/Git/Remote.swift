import Basics
import CGit2
import Foundation

/// How to authenticate to a remote, tried in this order for what the server accepts. Secrets are
/// never part of messages.
public struct RemoteCredentials: Sendable {
    /// An HTTPS token (sent as the password; user `x-access-token` unless the URL names one).
    public var token: String?
    /// An SSH private key file (and its passphrase); without it the SSH agent is asked.
    public var sshKey: String?
    public var sshPassphrase: String?
    /// Ask `git credential fill` (Git's credential helpers) for HTTPS user and password.
    public var useCredentialHelper: Bool

    public init(token: String? = nil, sshKey: String? = nil, sshPassphrase: String? = nil, useCredentialHelper: Bool = true) {
        self.token = token
        self.sshKey = sshKey
        self.sshPassphrase = sshPassphrase
        self.useCredentialHelper = useCredentialHelper
    }

    /// From `GITOPS_GIT_TOKEN` (or the file `GITOPS_GIT_TOKEN_FILE` names, as a mounted Secret
    /// provides it), `GITOPS_SSH_KEY` (a key file) and `GITOPS_SSH_PASSPHRASE`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> RemoteCredentials {
        var token = environment["GITOPS_GIT_TOKEN"]
        if token == nil, let file = environment["GITOPS_GIT_TOKEN_FILE"], let text = try? String(contentsOfFile: file, encoding: .utf8) {
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return RemoteCredentials(token: token, sshKey: environment["GITOPS_SSH_KEY"], sshPassphrase: environment["GITOPS_SSH_PASSPHRASE"])
    }
}

/// State the C callbacks reach through their payload.
private final class CallbackState {
    let credentials: RemoteCredentials
    var attempts = 0
    var rejected: [String: String] = [:]
    init(credentials: RemoteCredentials) { self.credentials = credentials }
}

private func acquireCredential(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?, _ url: UnsafePointer<CChar>?,
                               _ userFromURL: UnsafePointer<CChar>?, _ allowed: UInt32, _ payload: UnsafeMutableRawPointer?) -> Int32 {
    guard let payload else { return GIT_PASSTHROUGH.rawValue }
    let state = Unmanaged<CallbackState>.fromOpaque(payload).takeUnretainedValue()
    state.attempts += 1
    if state.attempts > 3 { return GIT_EAUTH.rawValue }  // stop asking: the server refused what we have
    let user = userFromURL.map { String(cString: $0) }
    if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
        let name = user ?? "git"
        if let key = state.credentials.sshKey {
            return git_credential_ssh_key_new(out, name, nil, key, state.credentials.sshPassphrase)
        }
        return git_credential_ssh_key_from_agent(out, name)
    }
    if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 {
        if let token = state.credentials.token {
            return git_credential_userpass_plaintext_new(out, user ?? "x-access-token", token)
        }
        if state.credentials.useCredentialHelper, let url, let (helperUser, password) = gitCredentialFill(String(cString: url)) {
            return git_credential_userpass_plaintext_new(out, user ?? helperUser, password)
        }
    }
    return GIT_PASSTHROUGH.rawValue
}

/// `git credential fill` for `url`: Git's configured helpers answer with a username and password.
private func gitCredentialFill(_ url: String) -> (String, String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "credential", "fill"]
    var environment = ProcessInfo.processInfo.environment
    environment["GIT_TERMINAL_PROMPT"] = "0"
    process.environment = environment
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    input.fileHandleForWriting.write(Data("url=\(url)\n\n".utf8))
    try? input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    var fields: [String: String] = [:]
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
        if parts.count == 2 { fields[parts[0]] = parts[1] }
    }
    guard let user = fields["username"], let password = fields["password"] else { return nil }
    return (user, password)
}

private func pushUpdate(_ refname: UnsafePointer<CChar>?, _ status: UnsafePointer<CChar>?, _ payload: UnsafeMutableRawPointer?) -> Int32 {
    guard let payload, let refname, let status else { return 0 }
    Unmanaged<CallbackState>.fromOpaque(payload).takeUnretainedValue().rejected[String(cString: refname)] = String(cString: status)
    return 0
}

extension Repository {
    /// Fetches `refspecs` (`+refs/heads/main:refs/remotes/origin/main`) from remote `name`.
    public func fetch(remote name: String, refspecs: [String], credentials: RemoteCredentials) throws(GitError) {
        try withLock { () throws(GitError) in
            var remote: OpaquePointer?
            try check(git_remote_lookup(&remote, handle, name), "git_remote_lookup")
            defer { git_remote_free(remote) }
            try fetch(with: remote, refspecs: refspecs, credentials: credentials)
        }
    }

    /// Fetches `refspecs` from `url` with an anonymous remote: no configuration is read, so the
    /// sync job can poll every few seconds for weeks. (libgit2 1.5 leaks about 20 KB of PCRE2
    /// match data each time `git_remote_lookup` reads a remote's configuration.)
    public func fetch(url: String, refspecs: [String], credentials: RemoteCredentials) throws(GitError) {
        try withLock { () throws(GitError) in
            var remote: OpaquePointer?
            var createOptions = git_remote_create_options()
            try check(git_remote_create_options_init(&createOptions, UInt32(GIT_REMOTE_CREATE_OPTIONS_VERSION)), "git_remote_create_options_init")
            createOptions.repository = handle
            createOptions.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF.rawValue | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC.rawValue
            try check(git_remote_create_with_opts(&remote, url, &createOptions), "git_remote_create_with_opts")
            defer { git_remote_free(remote) }
            try fetch(with: remote, refspecs: refspecs, credentials: credentials)
        }
    }

    /// The fetch itself, through an open remote; call under the lock.
    private func fetch(with remote: OpaquePointer?, refspecs: [String], credentials: RemoteCredentials) throws(GitError) {
        var options = git_fetch_options()
        try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "git_fetch_options_init")
        let state = CallbackState(credentials: credentials)
        let payload = Unmanaged.passRetained(state)
        defer { payload.release() }
        options.callbacks.credentials = acquireCredential
        options.callbacks.payload = payload.toOpaque()
        let result = withStrArray(refspecs) { array in git_remote_fetch(remote, &array, &options, "gitops: fetch") }
        try check(result, "git_remote_fetch")
    }

    /// Pushes `refspecs` (`refs/heads/x:refs/heads/x`, never forced) to remote `name`. Returns the
    /// refs the remote rejected, with its reason (`non-fast-forward`, ...); empty when all went.
    public func push(remote name: String, refspecs: [String], credentials: RemoteCredentials) throws(GitError) -> [String: String] {
        try withLock { () throws(GitError) -> [String: String] in
            var remote: OpaquePointer?
            try check(git_remote_lookup(&remote, handle, name), "git_remote_lookup")
            defer { git_remote_free(remote) }
            var options = git_push_options()
            try check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "git_push_options_init")
            let state = CallbackState(credentials: credentials)
            let payload = Unmanaged.passRetained(state)
            defer { payload.release() }
            options.callbacks.credentials = acquireCredential
            options.callbacks.push_update_reference = pushUpdate
            options.callbacks.payload = payload.toOpaque()
            let result = withStrArray(refspecs) { array in git_remote_push(remote, &array, &options) }
            let message = git_error_last()?.pointee.message.map { String(cString: $0) } ?? ""
            if result != 0, state.rejected.isEmpty,
               result == GIT_ENONFASTFORWARD.rawValue || ["fast-forward", "fetch first", "rejected", "not present locally"].contains(where: message.contains) {
                // Some transports report a non-fast-forward as an error rather than through the callback.
                for spec in refspecs { state.rejected[String(spec.split(separator: ":").last ?? "")] = message }
                return state.rejected
            }
            try check(result, "git_remote_push")
            return state.rejected
        }
    }

    /// Deletes a ref (no error when it is already gone).
    public func deleteReference(_ name: String) throws(GitError) {
        try withLock { () throws(GitError) in
            var reference: OpaquePointer?
            let result = git_reference_lookup(&reference, handle, name)
            if result == GIT_ENOTFOUND.rawValue { return }
            try check(result, "git_reference_lookup")
            defer { git_reference_free(reference) }
            try check(git_reference_delete(reference), "git_reference_delete")
        }
    }
}

/// `strings` as a `git_strarray` for the duration of `body`.
func withStrArray<T>(_ strings: [String], _ body: (inout git_strarray) -> T) -> T {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { text in
        text.withCString { source in
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: strlen(source) + 1)
            strcpy(copy, source)
            return copy
        }
    }
    defer { for pointer in pointers { pointer?.deallocate() } }
    return pointers.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return body(&array)
    }
}

extension Repository {
    /// Opens the bare repository at `path`, creating it (and its folders) when it does not exist:
    /// a cache a sync job fetches into.
    public static func openOrCreateBare(at path: String) throws(GitError) -> Repository {
        _ = libgit2Initialized
        if FileManager.default.fileExists(atPath: path + "/HEAD") { return try Repository(discoveringFrom: path) }
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var created: OpaquePointer?
        try check(git_repository_init(&created, path, 1), "git_repository_init")
        git_repository_free(created)
        return try Repository(discoveringFrom: path)
    }

    /// The URL of remote `name`; nil when there is no such remote.
    public func remoteURL(_ name: String) throws(GitError) -> String? {
        try withLock { () throws(GitError) -> String? in
            var remote: OpaquePointer?
            guard git_remote_lookup(&remote, handle, name) == 0 else { return nil }
            defer { git_remote_free(remote) }
            return git_remote_url(remote).map { String(cString: $0) }
        }
    }

    /// Makes remote `name` point at `url` (created, or its URL changed).
    public func setRemote(_ name: String, url: String) throws(GitError) {
        try withLock { () throws(GitError) in
            var remote: OpaquePointer?
            if git_remote_lookup(&remote, handle, name) == 0 {
                defer { git_remote_free(remote) }
                if let current = git_remote_url(remote), String(cString: current) == url { return }
                try check(git_remote_set_url(handle, name, url), "git_remote_set_url")
                return
            }
            try check(git_remote_create(&remote, handle, name, url), "git_remote_create")
            git_remote_free(remote)
        }
    }
}
