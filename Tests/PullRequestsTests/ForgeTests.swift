import PullRequests
import Testing

@Suite struct ForgeTests {
    @Test(arguments: [
        ("https://github.com/owner/envs.git", "github.com", "owner/envs"),
        ("https://x-access-token:abc@github.com/owner/envs", "github.com", "owner/envs"),
        ("git@github.com:owner/envs.git", "github.com", "owner/envs"),
        ("ssh://git@gitlab.example.com:2222/group/sub/envs.git", "gitlab.example.com", "group/sub/envs"),
        ("https://GitLab.com/group/envs/", "gitlab.com", "group/envs"),
    ])
    func remoteURLsNameTheirHostAndProject(url: String, host: String, project: String) {
        let location = Forge.location(ofRemote: url)
        #expect(location?.host == host && location?.project == project, "\(url): \(String(describing: location))")
    }

    @Test func pathsAndBareHostsNameNoProject() {
        #expect(Forge.location(ofRemote: "/srv/git/envs.git") == nil)
        #expect(Forge.location(ofRemote: "../envs") == nil)
        #expect(Forge.location(ofRemote: "https://github.com/owner") == nil)
    }

    @Test func theAPIFollowsTheHost() {
        #expect(Forge.kind(ofHost: "github.com") == .github && Forge.kind(ofHost: "gitlab.example.com") == .gitlab)
        #expect(Forge.kind(ofHost: "git.example.com") == nil)
        #expect(Forge.apiURL(kind: .github, host: "github.com") == "https://api.github.com")
        #expect(Forge.apiURL(kind: .github, host: "github.example.com") == "https://github.example.com/api/v3")
        #expect(Forge.apiURL(kind: .gitlab, host: "gitlab.com") == "https://gitlab.com/api/v4")
    }

    @Test func credentialsInARemoteURLAreNeverShown() {
        #expect(Forge.withoutCredentials("https://x-access-token:ghs_secret@git.example.com/o/r.git") == "https://***@git.example.com/o/r.git")
        #expect(Forge.withoutCredentials("git@github.com:o/r.git") == "git@github.com:o/r.git")
    }

    @Test func theMarkerTiesABodyToItsChange() {
        let draft = PullRequestDraft(title: "t", body: "b", head: "promote/x", base: "main", id: "abc123")
        #expect(draft.marker == "<!-- gitops:promotion-id=abc123 -->")
    }
}
