/// A rectangle of the screen, in cells.
public struct Rect: Sendable, Equatable {
    public var row: Int
    public var column: Int
    public var height: Int
    public var width: Int

    public init(row: Int, column: Int, height: Int, width: Int) {
        self.row = row
        self.column = column
        self.height = height
        self.width = width
    }
}

/// The pane that PgUp/PgDn scroll.
public enum Pane: Sendable, Equatable {
    case chat
    case panel
}

/// The place of each part of the chat screen for a terminal size.
///
/// Wide terminals get the chat pane on the left and the speculation panel on the
/// right, each under a one-row title. Narrow or short ones get one pane (the focused
/// one) over the whole width. Below the minimum, only a message is drawn.
public struct ScreenLayout: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        case twoPanes
        case singlePane
        case tooSmall
    }

    /// Smallest terminal for two panes side by side.
    public static let twoPaneMinimum = TerminalSize(rows: 12, columns: 70)
    /// Smallest terminal for the single-pane fallback.
    public static let singlePaneMinimum = TerminalSize(rows: 6, columns: 24)

    public var mode: Mode
    public var size: TerminalSize
    /// Title row and body of the chat pane (nil when it is hidden in single-pane mode).
    public var chatTitle: Rect?
    public var chat: Rect?
    public var panelTitle: Rect?
    public var panel: Rect?
    /// Column of the vertical border between the panes, in two-pane mode.
    public var borderColumn: Int?
    public var status: Rect?
    /// Rows of the input area (the last rows of the screen).
    public var input: Rect?

    /// Lays out a screen of `size` whose input needs `inputRows` rows (at most a third of the screen).
    public init(size: TerminalSize, inputRows: Int, focus: Pane) {
        self.size = size
        if size.rows < Self.singlePaneMinimum.rows || size.columns < Self.singlePaneMinimum.columns {
            mode = .tooSmall
            return
        }
        mode = size.rows >= Self.twoPaneMinimum.rows && size.columns >= Self.twoPaneMinimum.columns ? .twoPanes : .singlePane

        let inputHeight = min(max(inputRows, 1), max(size.rows / 3, 1))
        input = Rect(row: size.rows - inputHeight, column: 0, height: inputHeight, width: size.columns)
        status = Rect(row: size.rows - inputHeight - 1, column: 0, height: 1, width: size.columns)
        let bodyHeight = size.rows - inputHeight - 2  // the title row and the status bar

        switch mode {
        case .twoPanes:
            // The panel gets about 40% of the width, at least 28 columns.
            let panelWidth = max(28, size.columns * 2 / 5)
            let chatWidth = size.columns - panelWidth - 1
            chatTitle = Rect(row: 0, column: 0, height: 1, width: chatWidth)
            chat = Rect(row: 1, column: 0, height: bodyHeight, width: chatWidth)
            borderColumn = chatWidth
            panelTitle = Rect(row: 0, column: chatWidth + 1, height: 1, width: panelWidth)
            panel = Rect(row: 1, column: chatWidth + 1, height: bodyHeight, width: panelWidth)
        case .singlePane:
            let title = Rect(row: 0, column: 0, height: 1, width: size.columns)
            let body = Rect(row: 1, column: 0, height: bodyHeight, width: size.columns)
            if focus == .chat {
                chatTitle = title
                chat = body
            } else {
                panelTitle = title
                panel = body
            }
        case .tooSmall:
            break
        }
    }

    /// The message drawn when the terminal is below the single-pane minimum.
    public var tooSmallMessage: String {
        "Terminal too small (\(size.columns)x\(size.rows)); hunch needs at least \(Self.singlePaneMinimum.columns)x\(Self.singlePaneMinimum.rows). Enlarge it, or Ctrl-D to quit."
    }
}
