import CNcursesw
import Foundation

/// The terminal through ncursesw: full screen, colours from a `Theme`, wide characters.
///
/// `init` enters curses mode and `close` leaves it; `TerminalGuard` also leaves it
/// when the process is killed or crashes.
public final class CursesScreen: Screen {
    private var attributes: [ColorRole: (attr_t, Int16)] = [:]
    private let useColor: Bool

    /// Enters curses mode: raw keys (Ctrl-C arrives as a key), no echo, keypad decoding
    /// and a short Escape delay. Colour is off when `colorEnabled` is false (NO_COLOR)
    /// or the terminal has none. Throws when curses does not know the terminal type (`TERM`).
    public init(colorEnabled: Bool) throws(CursesScreenError) {
        TextWidth.prepareLocale()
        set_escdelay(25)
        guard hunch_start_curses() != 0 else {
            throw .unknownTerminal(ProcessInfo.processInfo.environment["TERM"] ?? "")
        }
        TerminalGuard.cursesActive = true
        raw()
        noecho()
        nonl()
        keypad(hunch_stdscr(), true)
        useColor = colorEnabled && has_colors()
        if useColor {
            start_color()
            use_default_colors()
        }
    }

    public var size: TerminalSize {
        TerminalSize(rows: Int(getmaxy(hunch_stdscr())), columns: Int(getmaxx(hunch_stdscr())))
    }

    /// Defines one colour pair per role. Colours the terminal lacks are mapped to
    /// the basic eight (a bright colour becomes its basic one in bold).
    public func apply(_ theme: Theme) {
        attributes.removeAll()
        let colors = Int(hunch_colors())
        for (index, role) in ColorRole.allCases.enumerated() {
            let style = theme.style(for: role)
            var attr = hunch_a_normal()
            if style.bold { attr |= hunch_a_bold() }
            if style.dim { attr |= hunch_a_dim() }
            if style.underline { attr |= hunch_a_underline() }
            if style.reverse { attr |= hunch_a_reverse() }
            var pair: Int16 = 0
            if useColor {
                let (foreground, brighten) = Self.cursesColor(style.foreground, colors: colors)
                let (background, _) = Self.cursesColor(style.background, colors: colors)
                if brighten { attr |= hunch_a_bold() }
                pair = Int16(index + 1)
                init_pair(pair, foreground, background)
            } else {
                attr |= Self.monochromeAttributes(role)
            }
            attributes[role] = (attr, pair)
        }
    }

    /// Attributes that keep roles apart without colour.
    static func monochromeAttributes(_ role: ColorRole) -> attr_t {
        switch role {
        case .rejected: hunch_a_underline() | hunch_a_dim()
        case .correction, .user, .error: hunch_a_bold()
        case .status: hunch_a_reverse()
        default: hunch_a_normal()
        }
    }

    private static func cursesColor(_ color: ThemeColor, colors: Int) -> (Int16, Bool) {
        switch color {
        case .terminalDefault: return (-1, false)
        case .index(let index) where index < colors: return (Int16(index), false)
        case .index(let index) where index < 16: return (Int16(index - 8), true)
        case .index: return (-1, false)
        }
    }

    public func clear() { werase(hunch_stdscr()) }

    public func draw(_ line: StyledLine, row: Int, column: Int, width: Int, fill: ColorRole) {
        let size = size
        guard row >= 0, row < size.rows, column >= 0, column < size.columns else { return }
        let width = min(width, size.columns - column)
        let window = hunch_stdscr()
        wmove(window, Int32(row), Int32(column))
        var used = 0
        for span in line.clipped(to: width).spans {
            setStyle(span.role)
            // A control character would move the cursor or start an escape sequence.
            let text = String(span.text.map(TextWidth.drawable))
            waddstr(window, text)
            used += span.columns
        }
        if used < width {
            setStyle(fill)
            // The last cell of the screen: writing it would scroll, so leave it.
            let pad = row == size.rows - 1 && column + width == size.columns ? width - used - 1 : width - used
            if pad > 0 { waddstr(window, String(repeating: " ", count: pad)) }
        }
        setStyle(.normal)
    }

    private func setStyle(_ role: ColorRole) {
        let (attr, pair) = attributes[role] ?? (hunch_a_normal(), 0)
        wattr_set(hunch_stdscr(), attr, pair, nil)
    }

    public func placeCursor(row: Int, column: Int) {
        curs_set(1)
        wmove(hunch_stdscr(), Int32(row), Int32(column))
    }

    public func hideCursor() { curs_set(0) }

    public func refresh() { wrefresh(hunch_stdscr()) }

    /// Reads one key, or nil when none arrives within `timeoutMilliseconds`.
    public func readKey(timeoutMilliseconds: Int32) -> Key? {
        wtimeout(hunch_stdscr(), timeoutMilliseconds)
        var value: UInt32 = 0
        switch hunch_get_key(hunch_stdscr(), &value) {
        case 1: return Self.functionKey(Int32(bitPattern: value))
        case 0:
            if value < 0x20 || value == 0x7F { return .control(UInt8(value)) }
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .character(Character(scalar))
        default: return nil
        }
    }

    private static func functionKey(_ code: Int32) -> Key {
        switch code {
        case hunch_key_resize(): .resize
        case hunch_key_ppage(): .pageUp
        case hunch_key_npage(): .pageDown
        case hunch_key_up(): .up
        case hunch_key_down(): .down
        case hunch_key_left(): .left
        case hunch_key_right(): .right
        case hunch_key_home(): .home
        case hunch_key_end(): .end
        case hunch_key_dc(): .delete
        case hunch_key_backspace(): .backspace
        case hunch_key_enter(): .control(13)
        case hunch_key_f1(): .f1
        default: .function(code)
        }
    }

    /// Leaves curses mode and restores the terminal.
    public func close() {
        guard TerminalGuard.cursesActive else { return }
        TerminalGuard.cursesActive = false
        endwin()
    }
}

/// A terminal the full-screen view cannot run in.
public enum CursesScreenError: Error, Equatable, CustomStringConvertible {
    case unknownTerminal(String)

    public var description: String {
        switch self {
        case .unknownTerminal(let term):
            let name = term.isEmpty ? "TERM is not set" : "terminal type '\(term)' is unknown to ncurses"
            return "cannot start the full-screen chat: \(name); set TERM (for example xterm-256color) or use --plain"
        }
    }
}
