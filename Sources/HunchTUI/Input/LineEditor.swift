import CReadline
import Foundation

/// GNU readline through its callback interface, drawn by hunch instead of by readline.
///
/// hunch hands readline one key at a time (`feed`). Readline reads the key's bytes
/// through `rl_getc_function` and edits its line buffer with its usual Emacs
/// bindings, history and Ctrl-R search. Then it calls the redisplay hook, after
/// which `display` returns the prompt, text and cursor for the chat view to draw. Finished lines
/// collect in `takeLines`. Readline never touches the terminal: its terminal
/// preparation is switched off and its output goes to /dev/null.
///
/// Readline has one global state, so only one `LineEditor` may exist at a time,
/// used from one thread.
public final class LineEditor {
    /// Bytes of the key being fed, read by `rl_getc_function`.
    nonisolated(unsafe) private static var pendingBytes: [UInt8] = []
    /// Lines completed by readline; nil is end of input.
    nonisolated(unsafe) private static var completedLines: [String?] = []

    private let historyPath: String?
    private var nullOutput: UnsafeMutablePointer<FILE>?

    /// Maximum lines kept in the history file.
    static let historyLimit: Int32 = 1000

    public init(prompt: String, historyPath: String?) {
        self.historyPath = historyPath
        hunch_rl_set_readline_name("hunch")
        hunch_rl_set_catch_signals(0)
        hunch_rl_set_change_environment(0)
        nullOutput = fopen("/dev/null", "w")
        hunch_rl_set_outstream(nullOutput)
        hunch_rl_set_prep_term_function { _ in }
        hunch_rl_set_deprep_term_function {}
        hunch_rl_set_getc_function { _ in
            guard !LineEditor.pendingBytes.isEmpty else { return EOF }
            return Int32(LineEditor.pendingBytes.removeFirst())
        }
        hunch_rl_set_input_available_hook { LineEditor.pendingBytes.isEmpty ? 0 : 1 }
        hunch_rl_set_redisplay_function {}
        hunch_rl_set_inhibit_completion(1)

        using_history()
        stifle_history(Self.historyLimit)
        if let historyPath { read_history(historyPath) }

        rl_callback_handler_install(prompt) { line in
            if let line {
                LineEditor.completedLines.append(String(cString: line))
                free(line)
            } else {
                LineEditor.completedLines.append(nil)
            }
        }
        hunch_rl_set_bell_style_none()
    }

    /// Gives readline one key. Keys without a readline meaning are ignored.
    public func feed(_ key: Key) {
        guard let bytes = key.readlineBytes else { return }
        Self.pendingBytes += bytes
        while !Self.pendingBytes.isEmpty {
            let before = Self.pendingBytes.count
            rl_callback_read_char()
            if Self.pendingBytes.count == before { break }  // readline did not read: do not spin
        }
    }

    /// Returns the lines finished since the last call, in order (nil for end of input).
    public func takeLines() -> [String?] {
        defer { Self.completedLines.removeAll() }
        return Self.completedLines
    }

    /// The prompt, text and cursor in readline's state now.
    public var display: EditorDisplay {
        let prompt = hunch_rl_display_prompt().map { String(cString: $0) } ?? ""
        let length = Int(hunch_rl_end())
        var text = ""
        if let buffer = hunch_rl_line_buffer() {
            text = buffer.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
        }
        return EditorDisplay(prompt: prompt, text: text, cursorByte: Int(hunch_rl_point()))
    }

    public func setPrompt(_ prompt: String) {
        rl_set_prompt(prompt)
    }

    /// Drops the line being edited and leaves a Ctrl-R search.
    public func clearLine() {
        if hunch_rl_is_searching() != 0 { feed(.control(7)) }  // Ctrl-G aborts the search
        rl_replace_line("", 0)
        hunch_rl_set_point(0)
    }

    /// Adds `line` to the history and appends it to the history file.
    public func addToHistory(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        add_history(line)
        // Readline set its history position when the line was accepted; move it past the new entry.
        using_history()
        guard let historyPath else { return }
        if !FileManager.default.fileExists(atPath: historyPath) {
            write_history(historyPath)
        } else {
            append_history(1, historyPath)
            history_truncate_file(historyPath, Self.historyLimit)
        }
    }

    /// Removes the callback handler and restores readline's state.
    public func close() {
        rl_callback_handler_remove()
        if let nullOutput { fclose(nullOutput) }
        nullOutput = nil
    }

    /// `$XDG_STATE_HOME/hunch/history` (when absolute), else `~/.local/state/hunch/history`;
    /// creates the directory. Nil when neither can be created.
    public static func defaultHistoryPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let base: String
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            base = state
        } else if let home = environment["HOME"], !home.isEmpty {
            base = home + "/.local/state"
        } else {
            return nil
        }
        let directory = base + "/hunch"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return nil
        }
        return directory + "/history"
    }
}
