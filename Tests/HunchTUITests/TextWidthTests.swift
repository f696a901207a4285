import Testing
@testable import HunchTUI

@Suite struct TextWidthTests {
    init() { TextWidth.prepareLocale() }

    @Test func columnsOfCharacters() {
        #expect(TextWidth.columns(of: "a") == 1)
        #expect(TextWidth.columns(of: "中") == 2)
        #expect(TextWidth.columns(of: "😀") == 2)
        #expect(TextWidth.columns(of: "e\u{301}") == 1)
        #expect(TextWidth.columns(of: "❤\u{FE0F}") == 2)
        #expect(TextWidth.columns(of: "\u{7}") == 1)
        #expect(TextWidth.columns(of: "日本語 ok") == 9)
    }

    @Test func wrapBreaksAtSpaces() {
        #expect(TextWidth.wrap("the quick brown fox", width: 10) == ["the quick ", "brown fox"])
        #expect(TextWidth.wrap("a\n\nb", width: 10) == ["a", "", "b"])
        #expect(TextWidth.wrap("", width: 10) == [""])
    }

    @Test func wrapSplitsLongWords() {
        #expect(TextWidth.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
    }

    @Test func wrapKeepsWideCharactersWhole() {
        let lines = TextWidth.wrap("中文中文中文", width: 5)
        #expect(lines == ["中文", "中文", "中文"])
        for line in lines { #expect(TextWidth.columns(of: line) <= 5) }
        let emoji = TextWidth.wrap("ok 😀😀😀 done", width: 6)
        for line in emoji { #expect(TextWidth.columns(of: line) <= 6) }
        #expect(emoji == ["ok ", "😀😀😀", "done"])
    }

    @Test func wrapReplacesControlCharacters() {
        #expect(TextWidth.wrap("a\r\nb\rc", width: 10) == ["a", "b", "c"])
        #expect(TextWidth.wrap("x\u{1B}[31my\u{7F}", width: 20) == ["x\u{FFFD}[31my\u{FFFD}"])
    }

    @Test func wrapExpandsTabs() {
        #expect(TextWidth.wrap("a\tb", width: 20) == ["a   b"])
    }

    @Test func prefixFitsWidth() {
        #expect(TextWidth.prefix(of: "中文字", fitting: 5) == "中文")
        #expect(TextWidth.prefix(of: "abc", fitting: 0) == "")
    }

    @Test func styledLineClipsByColumns() {
        let line = StyledLine([StyledSpan("ab", .user), StyledSpan("中文", .assistant)])
        #expect(line.clipped(to: 5).text == "ab中")
        #expect(line.clipped(to: 5).columns == 4)
    }
}
