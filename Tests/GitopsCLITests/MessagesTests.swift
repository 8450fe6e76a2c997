import Foundation
import Testing

/// What a new user's mistakes print (issue 12): each message says what is wrong and what to do,
/// in the tool's words, never a Foundation error domain or an empty success.
@Suite struct MessagesTests {
    @Test func chartTemplateRefusesWhatHelmRefuses() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        try scratch.write("charts/app/Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\n")
        try scratch.write("charts/app/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n")
        let chart = scratch.path + "/charts/app"

        let missing = try GitopsRun(["chart", "template", chart, "-f", "/nonexistent/values.yaml"])
        #expect(missing.status == 2 && missing.stderr == "error: -f /nonexistent/values.yaml: no such file\n", "\(missing.stderr)")
        let showOnly = try GitopsRun(["chart", "template", chart, "--show-only", "templates/nope.yaml"])
        #expect(showOnly.status == 2 && showOnly.stderr.contains("could not find template templates/nope.yaml in chart"), "\(showOnly.stdout)\(showOnly.stderr)")
        let found = try GitopsRun(["chart", "template", chart, "--show-only", "templates/cm.yaml"])
        #expect(found.status == 0 && found.stdout.contains("name: app"))
        let banana = try GitopsRun(["chart", "template", chart, "--kube-version", "banana"])
        #expect(banana.status == 2 && banana.stderr.contains("--kube-version 'banana' is not a Kubernetes version"), "\(banana.stderr)")
        let noChart = try GitopsRun(["chart", "template", scratch.path + "/charts/nope"])
        #expect(noChart.status == 2 && noChart.stderr.contains("no such chart folder or archive"), "\(noChart.stderr)")
    }

    @Test func validateSaysWhichKubernetesVersionsItHas() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        let banana = try GitopsRun(["validate", "dev", "--repo", scratch.path, "--kubernetes-version", "banana"])
        #expect(banana.status == 2 && banana.stderr.contains("the Kubernetes version 'banana' is not a version such as 1.31"), "\(banana.stderr)")
        let old = try GitopsRun(["validate", "dev", "--repo", scratch.path, "--kubernetes-version", "1.12"])
        #expect(old.status == 2 && old.stderr.contains("no schemas for Kubernetes 1.12: the oldest version at") && old.stderr.contains("pass --kubernetes-version 1."),
                "\(old.stderr)")
    }

    @Test func packagedChartsRenderAndRemoteReferencesSayWhatToDo() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        try scratch.write("vendor/app/Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.2.0\n")
        try scratch.write("vendor/app/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-app}\n")
        try TestProcess.output(["tar", "czf", "charts-app-1.2.0.tgz", "-C", "vendor", "app"], in: scratch.path)
        try scratch.writeEnvironment(releases: """
                - name: packaged
                  chart: charts-app-1.2.0.tgz
            """)
        let render = try GitopsRun(["render", "dev", "--repo", scratch.path])
        #expect(render.status == 0 && render.stdout.contains("name: packaged-app"), "\(render.stdout)\(render.stderr)")

        try scratch.writeEnvironment(releases: """
                - name: db
                  chart: oci://registry-1.docker.io/bitnamicharts/postgresql
            """)
        let remote = try GitopsRun(["render", "dev", "--repo", scratch.path])
        #expect(remote.status == 2 && remote.stderr.contains("is a remote reference; gitops renders charts kept in the repository for now: vendor it (helm pull oci://registry-1.docker.io/bitnamicharts/postgresql --version <version> --untar --untardir charts/)"),
                "\(remote.stderr)")
    }

    @Test func versionAndMergeHelp() throws {
        let version = try GitopsRun(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("gitops "), "\(version.stdout)\(version.stderr)")
        let help = try GitopsRun(["help", "merge"])
        #expect(help.status == 0 && help.stdout.contains("--base") && !help.stdout.contains("--dry-run") && !help.stdout.contains("--branch "), "\(help.stdout)")
    }
}
