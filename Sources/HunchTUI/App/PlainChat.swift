import CReadline
import Foundation
import HunchCore
#if canImport(Glibc)
import Glibc
#endif

/// The line-by-line chat for pipes and `--plain`: reads messages (with readline on
/// a terminal, plain lines from a pipe), prints each reply as it streams, and one
/// summary line per reply on standard error. `echo "question" | hunch` prints the
/// reply and exits at the end of input.
public final class PlainChat {
    private let controller: ChatController
    private let write: (String) -> Void
    private let writeError: (String) -> Void
    private let colorEnabled: Bool
    private let tokenizer: Tokenizer
    /// Bytes of an unfinished UTF-8 character at the end of the last coloured piece.
    private var pendingBytes: [UInt8] = []

    /// Set by the SIGINT handler while a reply runs; the wait loop turns it into a cancel.
    nonisolated(unsafe) static var interruptRequested: sig_atomic_t = 0
    nonisolated(unsafe) static var isGenerating: sig_atomic_t = 0

    /// `colorEnabled` colours accepted and target tokens with ANSI codes (only on a terminal).
    public init(session: ChatSession, colorEnabled: Bool, write: @escaping (String) -> Void, writeError: @escaping (String) -> Void) {
        controller = ChatController(session: session, theme: .builtInDefault)
        tokenizer = session.engine.tokenizer
        self.colorEnabled = colorEnabled
        self.write = write
        self.writeError = writeError
        controller.onWorkerMessage = { [unowned self] message in self.print(message) }
    }

    /// Reads messages and prints the replies until end of input or /quit.
    /// `readLine` returns the next line for a prompt, or nil at the end of input.
    public func run(readLine: (String) -> String?) {
        installInterruptHandler()
        while !controller.shouldQuit {
            guard let line = readLine(controller.prompt) else { break }
            handle(line)
        }
    }

    /// Takes one input line: a command, part of a message, or a whole message whose reply is printed before this returns.
    public func handle(_ line: String) {
        let noticesBefore = controller.transcript.entries.count
        controller.submit(line: line)
        if controller.isHelpVisible {
            write(HelpText.lines().dropLast().joined(separator: "\n") + "\n")
            controller.dismissHelp()
        }
        if controller.isGenerating {
            PlainChat.interruptRequested = 0
            PlainChat.isGenerating = 1
            while controller.isGenerating {
                if PlainChat.interruptRequested != 0 {
                    PlainChat.interruptRequested = 0
                    controller.cancelReply()
                }
                if !controller.pollWorker() { Thread.sleep(forTimeInterval: 0.005) }
            }
            PlainChat.isGenerating = 0
            return
        }
        for entry in controller.transcript.entries.dropFirst(noticesBefore) {
            if case .notice(let text, _) = entry { write(text + "\n") }
        }
        if let message = controller.status.message {
            (controller.status.messageIsError ? writeError : write)(message + "\n")
        }
    }

    // MARK: - Output

    private func print(_ message: WorkerMessage) {
        switch message {
        case .event(.promptProcessed):
            break
        case .event(.round(let round, let text)):
            if colorEnabled {
                writeColored(round)
            } else {
                write(text)
            }
        case .event(.finished(let reason, let stats)):
            pendingBytes.removeAll()
            write(colorEnabled ? "\u{1B}[0m\n" : "\n")
            writeError(summary(reason: reason, stats: stats) + "\n")
        case .failed(let description):
            write("\n")
            writeError("hunch: generation failed: \(description)\n")
        }
    }

    /// Writes the round's accepted tokens in green and the target's token in yellow.
    private func writeColored(_ round: SpeculationRound) {
        let acceptedCount = min(round.acceptedCount, round.emitted.count)
        let parts: [(ids: ArraySlice<Int>, color: String)] = [
            (round.emitted.prefix(acceptedCount), "\u{1B}[32m"),
            (round.emitted.dropFirst(acceptedCount), round.targetTokenKind == .plain ? "\u{1B}[0m" : "\u{1B}[33m"),
        ]
        for part in parts {
            for id in part.ids where !tokenizer.isHiddenWhenDecoding(id) {
                pendingBytes += tokenizer.pieceBytes(id)
            }
            let complete = Self.completeUTF8Prefix(pendingBytes)
            guard complete > 0 else { continue }
            write(part.color + String(decoding: pendingBytes[..<complete], as: UTF8.self))
            pendingBytes.removeFirst(complete)
        }
    }

    /// Length of `bytes` without a trailing unfinished UTF-8 character.
    static func completeUTF8Prefix(_ bytes: [UInt8]) -> Int {
        var index = bytes.count - 1
        var continuation = 0
        while index >= 0, continuation < 3, bytes[index] & 0xC0 == 0x80 {
            continuation += 1
            index -= 1
        }
        guard index >= 0 else { return bytes.count }
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0xF0...: length = 4
        case 0xE0...: length = 3
        case 0xC0...: length = 2
        default: length = 1
        }
        return length > continuation + 1 ? index : bytes.count
    }

    func summary(reason: StopReason, stats: GenerationStats) -> String {
        let reasonText: String
        switch reason {
        case .endOfText: reasonText = "end of text"
        case .tokenLimit: reasonText = "token limit \(controller.session.settings.maxTokens)"
        case .contextFull: reasonText = "context full"
        case .cancelled: reasonText = "stopped"
        }
        let session = controller.session
        let draft = session.engine.draftName == nil ? "" : "; draft length \(session.settings.draftLength)"
        return "[\(stats.summary)\(draft); \(reasonText)]"
    }

    private func installInterruptHandler() {
        signal(SIGINT) { received in
            if PlainChat.isGenerating != 0 {
                PlainChat.interruptRequested = 1
            } else {
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }

    // MARK: - Input

    /// Reads lines with readline (editing and history) when standard input is a terminal,
    /// else plain lines from standard input.
    public static func lineReader(historyPath: String?) -> (String) -> String? {
        guard isatty(0) == 1 else {
            return { _ in Swift.readLine(strippingNewline: true) }
        }
        using_history()
        if let historyPath { read_history(historyPath) }
        return { prompt in
            guard let line = readline(prompt) else { return nil }
            defer { free(line) }
            let text = String(cString: line)
            if !text.trimmingCharacters(in: .whitespaces).isEmpty {
                add_history(line)
                if let historyPath { write_history(historyPath) }
            }
            return text
        }
    }
}
