import Basics
import Foundation
import RepoModel

/// `gitops chart push`: a packaged chart into an OCI registry as Helm pushes it — a config blob
/// (the Chart.yaml metadata as JSON), the archive as the chart layer, a manifest tagged with the
/// version (`+` written `_`).
public enum ChartPush {
    public struct Pushed: Sendable {
        public var reference: String
        public var manifestDigest: String
        public var chartDigest: String
    }

    /// Pushes `archive` (the chart `name` at `version`, described by `metadata`) to `registry`
    /// (`oci://host/path`: the chart lands at `oci://host/path/name:version`).
    public static func push(_ archive: [UInt8], name: String, version: String, metadata: Value, to registry: String,
                            access: ChartAccess) async throws(ChartSourceError) -> Pushed {
        guard registry.hasPrefix("oci://") else { throw ChartSourceError("'\(registry)' is not an OCI reference (oci://host/path)") }
        let repository = try OCIRepository(RemoteChart(repository: registry, name: name, version: version))
        let tag = OCIRepository.tag(version)
        return try await HTTPSession.with(access: access) { session throws(ChartSourceError) in
            let client = try OCIClient(session: session, repository: repository, credentials: access.credentials, plainHTTP: access.plainHTTP)
            let config = Array(JSONWriter.compact(metadata).utf8)
            let configDigest = try await client.upload(config, what: "the config of \(name) \(version)")
            let chartDigest = try await client.upload(archive, what: "\(name) \(version)")
            var annotations: ValueObject = [
                "org.opencontainers.image.title": .string(name),
                "org.opencontainers.image.version": .string(version),
            ]
            if let description = metadata["description"]?.stringValue { annotations["org.opencontainers.image.description"] = .string(description) }
            let manifest: Value = .object([
                "schemaVersion": .int(2),
                "mediaType": .string(HelmMediaType.manifest),
                "config": .object(["mediaType": .string(HelmMediaType.config), "digest": .string(configDigest), "size": .int(Int64(config.count))]),
                "layers": .array([.object(["mediaType": .string(HelmMediaType.chart), "digest": .string(chartDigest), "size": .int(Int64(archive.count))])]),
                "annotations": .object(annotations),
            ])
            let digest = try await client.putManifest(Array(JSONWriter.compact(manifest).utf8), tag: tag, what: "\(name) \(version)")
            return Pushed(reference: "\(repository):\(tag)", manifestDigest: digest, chartDigest: chartDigest)
        }
    }
}
