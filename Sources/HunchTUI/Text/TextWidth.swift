import CNcursesw
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Terminal column widths of text, from the C library's `wcwidth`, and wrapping
/// by those widths so CJK characters and emoji (two columns) line up.
public enum TextWidth {
    /// Switches the C locale's character type to UTF-8 when the environment's is
    /// not, because `wcwidth` and ncurses' wide-character output need a UTF-8 locale.
    /// Call once at start-up, before `initscr`.
    public static func prepareLocale() {
        _ = localeIsPrepared
    }

    /// Runs the locale set-up once; `columns(of:)` reads it before its first `wcwidth`.
    private static let localeIsPrepared: Bool = {
        setlocale(LC_CTYPE, "")
        if let codeset = hunch_codeset(), String(cString: codeset).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8" {
            return true
        }
        if setlocale(LC_CTYPE, "C.UTF-8") == nil {
            _ = setlocale(LC_CTYPE, "en_US.UTF-8")
        }
        return true
    }()

    /// Columns `character` takes in a terminal: 0 (combining marks), 1 or 2. Control
    /// characters count 1, as `drawable` replaces them.
    ///
    /// A grapheme cluster takes the width of its first scalar, except that an emoji
    /// presentation selector (U+FE0F) makes a one-column base two columns wide, as
    /// terminals draw it.
    public static func columns(of character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x80 {
            return 1  // Controls too, because screens draw them as U+FFFD (see `drawable`).
        }
        _ = localeIsPrepared
        var width = Int(hunch_wcwidth(first.value))
        if width < 0 {
            // Unassigned in the C library's tables, or a C1 control (drawn as U+FFFD).
            width = 1
        }
        if width == 1, scalars.contains(where: { $0.value == 0xFE0F }) {
            width = 2
        }
        return width
    }

    /// Columns `text` takes on one line.
    public static func columns(of text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + columns(of: $1) }
    }

    /// Returns the longest prefix of `text` that fits in `width` columns.
    public static func prefix(of text: String, fitting width: Int) -> String {
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let next = used + columns(of: text[index])
            if next > width { break }
            used = next
            end = text.index(after: index)
        }
        return String(text[..<end])
    }

    /// Returns `character`, or U+FFFD for a control character other than tab and
    /// newline, which a terminal would act on instead of drawing (ESC starts a sequence).
    public static func drawable(_ character: Character) -> Character {
        guard let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1 else { return character }
        switch scalar.value {
        case 0x09, 0x0A: return character
        case 0x00..<0x20, 0x7F, 0x80..<0xA0: return "\u{FFFD}"
        default: return character
        }
    }

    /// Splits `text` into lines of at most `width` columns: at newlines, after the
    /// last space that fits, or inside a word (or a run of CJK text) longer than a line.
    /// Tabs become spaces to the next multiple of 4, CR LF and lone CR end a line, and
    /// other control characters show as U+FFFD. An empty text gives one empty line.
    public static func wrap(_ text: String, width: Int) -> [String] {
        let width = max(width, 1)
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines: [String] = []
        for paragraph in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            wrapParagraph(expandTabs(paragraph).map(drawable), width: width, into: &lines)
        }
        return lines
    }

    private static func expandTabs(_ text: Substring) -> [Character] {
        guard text.contains("\t") else { return Array(text) }
        var result: [Character] = []
        var column = 0
        for character in text {
            if character == "\t" {
                let spaces = 4 - column % 4
                result.append(contentsOf: repeatElement(" ", count: spaces))
                column += spaces
            } else {
                result.append(character)
                column += columns(of: character)
            }
        }
        return result
    }

    private static func wrapParagraph(_ characters: [Character], width: Int, into lines: inout [String]) {
        var line: [Character] = []
        var lineWidth = 0
        // Index in `line` just after the last space, where the line may break.
        var breakIndex: Int?
        for character in characters {
            let characterWidth = columns(of: character)
            if lineWidth + characterWidth > width, !line.isEmpty {
                if let split = breakIndex, split < line.count {
                    lines.append(String(line[..<split]))
                    line = Array(line[split...])
                } else {
                    lines.append(String(line))
                    line = []
                }
                lineWidth = columns(of: String(line))
                breakIndex = nil
                if lineWidth + characterWidth > width, !line.isEmpty {
                    lines.append(String(line))
                    line = []
                    lineWidth = 0
                }
                // A space at the start of a continuation line would indent it.
                if line.isEmpty, character == " " { continue }
            }
            line.append(character)
            lineWidth += characterWidth
            if character == " " { breakIndex = line.count }
        }
        lines.append(String(line))
    }
}
