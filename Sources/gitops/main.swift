import Foundation
import GitopsCLI

exit(Gitops.run(Array(CommandLine.arguments.dropFirst())))
