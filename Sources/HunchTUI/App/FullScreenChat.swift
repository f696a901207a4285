import Foundation

/// The full-screen chat: ncurses for drawing, readline for the input line, and the
/// reply generated on a background thread while the UI keeps reading keys.
public enum FullScreenChat {
    /// Runs until /quit or Ctrl-D; the terminal is restored on every exit path,
    /// including fatal signals (`TerminalGuard`). Throws before drawing anything when
    /// curses cannot drive the terminal.
    public static func run(session: ChatSession, theme: Theme, startupMessage: String?, colorEnabled: Bool) throws(CursesScreenError) {
        TerminalGuard.install()
        let screen = try CursesScreen(colorEnabled: colorEnabled)
        let controller = ChatController(session: session, theme: theme)
        let editor = LineEditor(prompt: controller.prompt, historyPath: LineEditor.defaultHistoryPath())
        defer {
            editor.close()
            screen.close()
        }
        if let startupMessage { controller.showMessage(startupMessage, isError: true) }

        var needsDrawing = true
        while !controller.shouldQuit {
            if controller.pollWorker() { needsDrawing = true }
            if needsDrawing {
                controller.editor = editor.display
                controller.render(on: screen)
                needsDrawing = false
            }
            // Wait briefly for a key, then take every key already typed (a paste) before drawing again.
            var key = screen.readKey(timeoutMilliseconds: 30)
            while let pressed = key, !controller.shouldQuit {
                handle(pressed, controller: controller, editor: editor)
                needsDrawing = true
                key = screen.readKey(timeoutMilliseconds: 0)
            }
        }
        if controller.isGenerating {
            // Let the reply stop cleanly so the engine's caches stay consistent.
            controller.cancelReply()
            controller.waitForReply()
        }
    }

    private static func handle(_ key: Key, controller: ChatController, editor: LineEditor) {
        switch controller.handleKey(key) {
        case .handled:
            break
        case .clearLine:
            editor.clearLine()
            editor.setPrompt(controller.prompt)
        case .passToEditor:
            editor.feed(key)
            for line in editor.takeLines() {
                if let line { editor.addToHistory(line) }
                controller.submit(line: line)
                editor.setPrompt(controller.prompt)
            }
        }
    }
}
