extension EnvironmentRepository {
    /// The repository paths (files and folders) an environment's render and checks read: its
    /// folder and file, its charts, values files, manifest folders and kustomize inputs,
    /// `gitops.yaml`, the policy, CRD and schema folders. Sorted, no duplicates. A change below
    /// none of them changes neither what the environment renders nor what its checks find.
    public func inputs(of environment: Environment) -> [String] {
        var paths = Set([environment.folder, environment.file, "gitops.yaml"] + settings.policyPaths + settings.crdPaths + settings.schemaLocations)
        for release in environment.releases {
            switch release.source {
            case .chart(let chart, let files, _, _): paths.insert(chart); paths.formUnion(files)
            case .manifests(let folder): paths.insert(folder)
            case .kustomize(_, let inputs, _): paths.formUnion(inputs)
            // The pinned chart is in the environment's charts.lock, under its folder.
            case .remoteChart(_, let files, _, _): paths.formUnion(files)
            }
        }
        return paths.sorted()
    }

    /// Whether any of `changed` (repository paths) is one of `environment`'s inputs or lies below one.
    public func isAffected(_ environment: Environment, byChangesTo changed: [String]) -> Bool {
        let inputs = self.inputs(of: environment)
        return changed.contains { path in inputs.contains { path == $0 || path.hasPrefix($0 + "/") } }
    }
}
