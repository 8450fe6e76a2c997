import ArgumentParser
import Basics
import Foundation
import Charts
import Git
import Secrets

/// The `gitops` command line.
public struct Gitops: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gitops",
        abstract: "Render, check and deliver Kubernetes environments kept in a Git repository.",
        discussion: """
        Exit codes: 0 success, 1 findings or differences, 2 the command could not do its job.
        Errors are printed as file:line:col: error: message.
        """,
        version: Gitops.version,
        subcommands: [EnvironmentsCommand.self, RenderCommand.self, ValidateCommand.self, DiffCommand.self, SnapshotCommand.self,
                      PromoteCommand.self, SetCommand.self, MergeCommand.self, RollbackCommand.self, HistoryCommand.self, SyncCommand.self, StatusCommand.self, RolloutCommand.self, UICommand.self, PolicyCommand.self, ChartCommand.self, KustomizeCommand.self, SecretCommand.self])

    /// The toolkit's version (`gitops --version`).
    public static let version = "gitops 0.2.0 (Helm v4 template engine; Kubernetes schemas from kubernetes-validate)"

    public init() {}

    /// Runs the command line `arguments` (without the program name) and returns the exit code.
    public static func run(_ arguments: [String]) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let error as DiagnosticError {
            Output.error(error.description)
            return 2
        } catch let error as GitError {
            Output.error("error: \(error)")
            return 2
        } catch let error as CommandFailure {
            Output.error("error: \(error)")
            return 2
        } catch let error as AtomicFile.Failure {
            Output.error("error: \(error)")
            return 2
        } catch let error as SetValues.ParseError {
            Output.error("error: --set: \(error)")
            return 2
        } catch {
            // Argument parsing: help and version exit 0, usage errors 2.
            let code = exitCode(for: error)
            if code == .success {
                Output.write(fullMessage(for: error) + "\n")
                return 0
            }
            if let exit = error as? ExitCode, exit != .validationFailure { return exit.rawValue }
            Output.error(fullMessage(for: error))
            return 2
        }
    }
}

/// Writes to standard output and standard error.
/// Decrypted secret values never print: each is replaced by `<secret>` (unless `--show-secrets`).
enum Output {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(Redaction.redact(text).utf8))
    }

    static func error(_ text: String) {
        let text = Redaction.redact(text)
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
