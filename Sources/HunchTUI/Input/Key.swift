/// A key press, decoded from ncurses' `wget_wch`.
public enum Key: Sendable, Equatable {
    /// A printable character.
    case character(Character)
    /// Ctrl with a letter or symbol: the control code 0...31 or 127 (Backspace on most terminals).
    case control(UInt8)
    case pageUp
    case pageDown
    case up
    case down
    case left
    case right
    case home
    case end
    case delete
    case backspace
    case f1
    case resize
    /// Any other function key, by its ncurses code.
    case function(Int32)

    public static let ctrlC = Key.control(3)
    public static let ctrlD = Key.control(4)
    public static let tab = Key.control(9)
    public static let escape = Key.control(27)

    /// The bytes readline receives for this key, or nil for keys it does not get.
    /// Cursor keys become the ANSI sequences readline binds by default.
    public var readlineBytes: [UInt8]? {
        switch self {
        case .character(let character): Array(String(character).utf8)
        case .control(let code): [code]
        case .up: Array("\u{1B}[A".utf8)
        case .down: Array("\u{1B}[B".utf8)
        case .right: Array("\u{1B}[C".utf8)
        case .left: Array("\u{1B}[D".utf8)
        case .home: Array("\u{1B}[H".utf8)
        case .end: Array("\u{1B}[F".utf8)
        case .delete: Array("\u{1B}[3~".utf8)
        case .backspace: [0x7F]
        case .pageUp, .pageDown, .f1, .resize, .function: nil
        }
    }
}
