import ArgumentParser
import Basics
import Foundation
import Git

/// The `gitops` command line.
public struct Gitops: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gitops",
        abstract: "Render, check and deliver Kubernetes environments kept in a Git repository.",
        discussion: """
        Exit codes: 0 success, 1 findings or differences, 2 the command could not do its job.
        Errors are printed as file:line:col: error: message.
        """,
        subcommands: [EnvironmentsCommand.self, RenderCommand.self])

    public init() {}

    /// Runs the command line `arguments` (without the program name) and returns the exit code.
    public static func run(_ arguments: [String]) -> Int32 {
        let command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Output.write(fullMessage(for: error) + "\n")
                return 0
            }
            Output.error(fullMessage(for: error))
            return 2
        }
        do {
            var command = command
            try command.run()
            return 0
        } catch let error as ExitCode {
            return error.rawValue
        } catch let error as DiagnosticError {
            Output.error(error.description)
            return 2
        } catch let error as GitError {
            Output.error("error: \(error)")
            return 2
        } catch {
            Output.error("error: \(error)")
            return 2
        }
    }
}

/// Writes to standard output and standard error.
enum Output {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
