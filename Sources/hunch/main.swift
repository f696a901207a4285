import HunchCLI

#if canImport(Glibc)
import Glibc
#endif

let status = await HunchCLI.run(Array(CommandLine.arguments.dropFirst()), console: StandardConsole())
exit(status)
