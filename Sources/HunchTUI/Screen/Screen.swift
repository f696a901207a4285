/// Size of a terminal, in character cells.
public struct TerminalSize: Sendable, Equatable {
    public var rows: Int
    public var columns: Int

    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
    }
}

/// The surface the chat view draws on: ncurses on a terminal, `TextScreen` in tests.
public protocol Screen: AnyObject {
    var size: TerminalSize { get }
    /// Blanks the whole screen.
    func clear()
    /// Draws `line` from (`row`, `column`), cut to `width` columns and padded with
    /// spaces in `fill`'s style up to `width`. Draws nothing outside the screen.
    func draw(_ line: StyledLine, row: Int, column: Int, width: Int, fill: ColorRole)
    /// Places the visible cursor, or hides it for nil.
    func placeCursor(row: Int, column: Int)
    func hideCursor()
    /// Shows what was drawn since the last refresh.
    func refresh()
    /// Takes the colours and attributes of each role from `theme`.
    func apply(_ theme: Theme)
}

/// An in-memory screen: a grid of cells with their roles, for tests.
public final class TextScreen: Screen {
    /// One cell: a character, or "" for the right half of a two-column character.
    public struct Cell: Equatable, Sendable {
        public var text: String
        public var role: ColorRole
    }

    public private(set) var size: TerminalSize
    public private(set) var cells: [[Cell]]
    public private(set) var cursor: (row: Int, column: Int)?

    public init(rows: Int, columns: Int) {
        size = TerminalSize(rows: rows, columns: columns)
        cells = Self.blank(size)
    }

    public func resize(rows: Int, columns: Int) {
        size = TerminalSize(rows: rows, columns: columns)
        cells = Self.blank(size)
    }

    private static func blank(_ size: TerminalSize) -> [[Cell]] {
        Array(repeating: Array(repeating: Cell(text: " ", role: .normal), count: max(size.columns, 0)), count: max(size.rows, 0))
    }

    public func clear() { cells = Self.blank(size) }

    public func draw(_ line: StyledLine, row: Int, column: Int, width: Int, fill: ColorRole) {
        guard row >= 0, row < size.rows, column >= 0, column < size.columns else { return }
        let width = min(width, size.columns - column)
        var x = column
        for span in line.clipped(to: width).spans {
            for character in span.text.map(TextWidth.drawable) {
                let characterWidth = TextWidth.columns(of: character)
                guard characterWidth > 0 else { continue }
                cells[row][x] = Cell(text: String(character), role: span.role)
                if characterWidth == 2 { cells[row][x + 1] = Cell(text: "", role: span.role) }
                x += characterWidth
            }
        }
        while x < column + width {
            cells[row][x] = Cell(text: " ", role: fill)
            x += 1
        }
    }

    public func placeCursor(row: Int, column: Int) { cursor = (row, column) }
    public func hideCursor() { cursor = nil }
    public func refresh() {}
    public func apply(_ theme: Theme) { self.theme = theme }

    /// The theme applied last.
    public private(set) var theme: Theme?

    /// Returns the characters of `row`.
    public func text(row: Int) -> String { cells[row].map(\.text).joined() }

    /// All rows, joined by newlines, with trailing spaces removed from each.
    public var text: String {
        (0..<size.rows).map { row in
            var line = text(row: row)
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// Returns the role of the cell at (`row`, `column`).
    public func role(row: Int, column: Int) -> ColorRole { cells[row][column].role }
}
