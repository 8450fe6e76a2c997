import Foundation
import Testing
import TestSupport

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

    @Test func brokenBuiltInKindsAreErrorsByDefault() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        try scratch.write("gitops.yaml", "apiVersion: gitops/v1alpha1\nkind: Repository\nspec:\n  validation:\n    kubernetesVersion: \"1.31\"\n")
        try scratch.write("environments/dev/platform/config.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {tag: "1"}
            imutable: true
            ---
            apiVersion: apps/v1
            kind: Deployement
            metadata: {name: web}
            ---
            apiVersion: networking.k8s.io/v1beta1
            kind: Ingress
            metadata: {name: web}
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w}

            """)
        let run = try GitopsRun(["validate", "dev", "--repo", scratch.path])
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(lines.contains("environments/dev/platform/config.yaml:5:1: error: [schema] unknown field 'imutable'; did you mean 'immutable'? (ConfigMap blog-dev/settings, imutable)"), "\(run.stdout)")
        #expect(lines.contains("environments/dev/platform/config.yaml:8:1: error: [schema.unknownKind] unknown kind 'Deployement' in apps/v1; did you mean 'Deployment'? (Deployement blog-dev/web)"), "\(run.stdout)")
        #expect(lines.contains("environments/dev/platform/config.yaml:12:1: error: [schema.removedAPI] networking.k8s.io/v1beta1 Ingress is not served by Kubernetes 1.31 (removed in 1.22); use networking.k8s.io/v1 (Ingress blog-dev/web)"), "\(run.stdout)")
        #expect(lines.contains { $0.contains("warning: [schema.missing] no schema for example.com/v1 Widget") }, "a custom resource without its CRD stays a warning")
        // Today's leniency, for teams that want it.
        let lenient = try GitopsRun(["validate", "dev", "--lenient", "--repo", scratch.path])
        #expect(lenient.status == 0 && !lenient.stdout.contains("imutable") && lenient.stdout.contains("warning: [schema.unknownKind]"), "\(lenient.stdout)")
    }

    @Test func aFileThatDoesNotParseIsAFindingInEveryFormat() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        try scratch.write("environments/dev/platform/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n")
        for format in ["json", "sarif", "text"] {
            let run = try GitopsRun(["validate", "dev", "--output", format, "--repo", scratch.path])
            #expect(run.status == 1 && run.stdout.contains("environments/dev/platform/config.yaml") && run.stdout.contains("yaml.syntax"),
                    "\(format): \(run.stdout)\(run.stderr)")
        }
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
        #expect(remote.status == 2 && remote.stderr.contains("chart 'oci://registry-1.docker.io/bitnamicharts/postgresql' needs a version: add `version: <exact or range>` to the release"),
                "\(remote.stderr)")
        // With its version, the release renders what the environment's charts.lock pins, and says so.
        try scratch.writeEnvironment(releases: """
                - name: db
                  chart: oci://registry-1.docker.io/bitnamicharts/postgresql
                  version: "16.2.1"
            """)
        let unpinned = try GitopsRun(["render", "dev", "--repo", scratch.path, "--offline"])
        #expect(unpinned.status == 2 && unpinned.stderr.contains("environments/dev/charts.lock does not pin it: run `gitops chart lock dev`"), "\(unpinned.stderr)")
    }

    @Test func versionAndMergeHelp() throws {
        let version = try GitopsRun(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("gitops "), "\(version.stdout)\(version.stderr)")
        let help = try GitopsRun(["help", "merge"])
        #expect(help.status == 0 && help.stdout.contains("--base") && !help.stdout.contains("--dry-run") && !help.stdout.contains("--branch "), "\(help.stdout)")
    }
}
