import ArgumentParser
import RepoModel

struct EnvironmentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "environments",
        abstract: "List the repository's environments with namespace, cluster and release count.")

    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        let (_, model) = try repository.load()
        var rows = [["NAME", "NAMESPACE", "CLUSTER", "RELEASES", "PROMOTES FROM"]]
        for environment in model.environments {
            rows.append([environment.name, environment.namespace, environment.cluster.description,
                         String(environment.releases.count), environment.promotionSource ?? "-"])
        }
        Output.write(Table.format(rows))
    }
}

/// Left-aligned columns separated by three spaces, as kubectl prints them.
enum Table {
    static func format(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count + 3)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }
}
