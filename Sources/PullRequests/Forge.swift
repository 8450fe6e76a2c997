import Foundation

/// A Git hosting service whose pull (merge) requests gitops opens: GitHub (and GitHub Enterprise)
/// or GitLab, reached over its REST API with a token.
public struct Forge: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case github, gitlab

        /// `GitHub`, `GitLab`, for messages.
        public var displayName: String { self == .github ? "GitHub" : "GitLab" }

        /// The environment variable holding the token.
        public var tokenVariable: String { self == .github ? "GITOPS_GITHUB_TOKEN" : "GITOPS_GITLAB_TOKEN" }
    }

    public var kind: Kind
    /// The API's base URL, without a trailing slash: `https://api.github.com`, `https://gitlab.com/api/v4`.
    public var apiURL: String
    /// `owner/repository` (GitHub) or the project's full path (GitLab: `group/subgroup/project`).
    public var project: String
    /// Never printed.
    var token: String
    /// Seconds one request may take.
    public var deadline: Int64 = 30

    public init(kind: Kind, apiURL: String, project: String, token: String) {
        self.kind = kind
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.project = project
        self.token = token
    }

    /// The host and project path of a Git remote URL: `https://github.com/o/r.git`,
    /// `git@github.com:o/r.git`, `ssh://git@gitlab.example.com:2222/g/s/p.git`. Nil when the URL
    /// names no project (a local path, a bundle).
    public static func location(ofRemote url: String) -> (host: String, project: String)? {
        if let scheme = url.range(of: "://") {
            let rest = url[scheme.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            var host = rest[..<slash]
            if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
            if let colon = host.lastIndex(of: ":") { host = host[..<colon] }
            return project(host: String(host), path: rest[rest.index(after: slash)...])
        }
        // scp-like: [user@]host:path
        guard let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") else { return nil }
        var host = url[..<colon]
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        return project(host: String(host), path: url[url.index(after: colon)...])
    }

    private static func project(host: String, path: Substring) -> (host: String, project: String)? {
        var project = String(path)
        while project.hasSuffix("/") { project.removeLast() }
        if project.hasSuffix(".git") { project.removeLast(4) }
        while project.hasPrefix("/") { project.removeFirst() }
        guard !host.isEmpty, project.split(separator: "/").count >= 2 else { return nil }
        return (host.lowercased(), project)
    }

    /// `url` with any user name and password left out, for messages.
    public static func withoutCredentials(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authority = rest[..<(rest.firstIndex(of: "/") ?? rest.endIndex)]
        guard let at = authority.lastIndex(of: "@") else { return url }
        return String(url[..<scheme.upperBound]) + "***@" + String(url[url.index(after: at)...])
    }

    /// The service a remote host runs, by its name (`github.com`, `gitlab.example.com`); nil when it does not say.
    public static func kind(ofHost host: String) -> Kind? {
        if host.contains("github") { return .github }
        if host.contains("gitlab") { return .gitlab }
        return nil
    }

    /// The API of `kind` on `host`: api.github.com for github.com, `/api/v3` on a GitHub
    /// Enterprise server, `/api/v4` on GitLab.
    public static func apiURL(kind: Kind, host: String) -> String {
        switch kind {
        case .github: return host == "github.com" ? "https://api.github.com" : "https://\(host)/api/v3"
        case .gitlab: return "https://\(host)/api/v4"
        }
    }
}

/// A forge API call that failed: which call, the status, and the service's own message (never the token).
public struct ForgeError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
