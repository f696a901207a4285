import HunchCore
import Testing
@testable import HunchTUI

@Suite struct LayoutTests {
    @Test func wideTerminalHasTwoPanes() throws {
        let layout = ScreenLayout(size: TerminalSize(rows: 30, columns: 100), inputRows: 1, focus: .chat)
        #expect(layout.mode == .twoPanes)
        let chat = try #require(layout.chat)
        let panel = try #require(layout.panel)
        #expect(chat.width + 1 + panel.width == 100)
        #expect(panel.width == 40)
        #expect(layout.status?.row == 28)
        #expect(layout.input == Rect(row: 29, column: 0, height: 1, width: 100))
        #expect(chat.row == 1)
        #expect(chat.height == 27)
    }

    @Test func narrowTerminalShowsFocusedPane() {
        let chat = ScreenLayout(size: TerminalSize(rows: 20, columns: 50), inputRows: 1, focus: .chat)
        #expect(chat.mode == .singlePane)
        #expect(chat.chat?.width == 50)
        #expect(chat.panel == nil)
        let panel = ScreenLayout(size: TerminalSize(rows: 20, columns: 50), inputRows: 1, focus: .panel)
        #expect(panel.panel?.width == 50)
        #expect(panel.chat == nil)
    }

    @Test func tinyTerminalIsTooSmall() {
        let layout = ScreenLayout(size: TerminalSize(rows: 4, columns: 80), inputRows: 1, focus: .chat)
        #expect(layout.mode == .tooSmall)
        #expect(layout.tooSmallMessage.hasPrefix("Terminal too small (80x4)"))
    }

    @Test func inputTakesAtMostAThird() {
        let layout = ScreenLayout(size: TerminalSize(rows: 12, columns: 80), inputRows: 9, focus: .chat)
        #expect(layout.input?.height == 4)
    }
}

@Suite struct PanelTests {
    static let round = PanelRound(index: 7, draftLength: 4, accepted: ["def", "·fizz"], rejected: ["(", "↵"], target: "buzz", targetKind: .correction)

    @Test func roundShowsTokensInRoles() {
        let lines = SpeculationPanel.lines(of: Self.round, width: 40)
        #expect(lines.count == 1)
        #expect(lines[0].text == "#7 K4 def ·fizz ( ↵ buzz")
        let roles = lines[0].spans.filter { $0.text != " " }.map(\.role)
        #expect(roles == [.border, .accepted, .accepted, .rejected, .rejected, .correction])
    }

    @Test func roundWrapsUnderItsLabel() {
        let lines = SpeculationPanel.lines(of: Self.round, width: 14)
        #expect(lines.count > 1)
        for line in lines { #expect(line.columns <= 14, "\(line.text)") }
        // The label takes more than a third of the width, so continuation lines indent by a third.
        #expect(lines[1].text.hasPrefix("    ·fizz"))
    }

    @Test func tokenTextFromTokenizerShowsWhitespace() {
        let tokenizer = TestTokenizer.shared
        let space = tokenizer.encode(" ", addSpecial: false)
        let newline = tokenizer.encode("\n", addSpecial: false)
        let round = SpeculationRound(
            index: 0, draftLength: 2, drafted: [DraftedToken(id: space[0], draftProbability: 1), DraftedToken(id: newline[0], draftProbability: 1)],
            acceptedCount: 1, targetToken: 0xE4, targetTokenKind: .correction, emitted: [space[0], 0xE4], draftSeconds: 0, verifySeconds: 0)
        let panelRound = PanelRound(round, tokenizer: tokenizer)
        #expect(panelRound.accepted == ["·"])
        #expect(panelRound.rejected == ["↵"])
        #expect(panelRound.target == "<0xE4>")
    }

    @Test func plainRoundHasNoK() {
        let round = PanelRound(index: 2, draftLength: 0, accepted: [], rejected: [], target: "x", targetKind: .plain)
        #expect(SpeculationPanel.lines(of: round, width: 20)[0].text == "#2 x")
    }

    @Test func capacityDropsOldestRounds() {
        var panel = SpeculationPanel()
        for index in 0..<(SpeculationPanel.capacity + 5) {
            panel.append(.round(PanelRound(index: index, draftLength: 1, accepted: [], rejected: [], target: nil, targetKind: .bonus)))
        }
        #expect(panel.entries.count == SpeculationPanel.capacity)
        #expect(panel.entries.first == .round(PanelRound(index: 5, draftLength: 1, accepted: [], rejected: [], target: nil, targetKind: .bonus)))
    }
}

@Suite struct StatusBarTests {
    static func info() -> StatusInfo {
        var info = StatusInfo(targetName: "qwen-1.5b", draftName: "qwen-0.5b", draftLength: .fixed(4), contextLength: 4096)
        info.stats.drafted = 100
        info.stats.accepted = 75
        info.stats.rounds = 30
        info.stats.generatedTokens = 105
        info.stats.decodeSeconds = 3
        info.stats.targetStepSeconds = 0.05
        info.contextUsed = 812
        return info
    }

    @Test func showsEveryFieldWhenWide() {
        let text = Self.info().line(width: 200).text
        #expect(text == " qwen-1.5b ⇐ qwen-0.5b │ K 4 │ accept 75% │ mean 2.50 │ 35.0 tok/s │ ≈1.75x target │ ctx 812/4096")
    }

    @Test func autoShowsChosenK() {
        var info = Self.info()
        info.draftLength = .auto
        info.latestDraftLength = 6
        #expect(info.line(width: 200).text.contains("K auto (6)"))
    }

    @Test func narrowBarCutsNamesThenFigures() {
        let medium = Self.info().line(width: 90)
        #expect(medium.text == " qwen-1.5b ⇐ q… │ K 4 │ accept 75% │ mean 2.50 │ 35.0 tok/s │ ≈1.75x target │ ctx 812/4096")
        #expect(medium.columns <= 90)
        let narrow = Self.info().line(width: 50)
        #expect(narrow.text == " qwen-1.5b ⇐ qwen… │ K 4 │ accept 75% │ 35.0 tok/s")
        #expect(narrow.columns <= 50)
        let tiny = Self.info().line(width: 30)
        #expect(tiny.text == " qwen-1.5b ⇐ qwen-0.5b │ K 4")
        #expect(tiny.columns <= 30)
    }

    @Test func messageComesFirst() {
        var info = Self.info()
        info.message = "unknown command /x"
        info.messageIsError = true
        let line = info.line(width: 200)
        #expect(line.text.hasPrefix(" unknown command /x │ qwen-1.5b"))
        #expect(line.spans[1].role == .error)
    }

    @Test func noDraftShowsTargetAlone() {
        let info = StatusInfo(targetName: "t", draftName: nil, draftLength: .auto, contextLength: 10)
        #expect(info.line(width: 100).text == " t (no draft) │ 0.0 tok/s │ ctx 0/10")
    }
}

@Suite struct TranscriptTests {
    @Test func wrapsMessagesWithWideCharacters() {
        var transcript = Transcript()
        transcript.appendUser("你好世界你好世界")
        transcript.beginReply()
        transcript.appendReplyText("héllo 😀 ")
        transcript.appendReplyText("wörld")
        let lines = transcript.lines(width: 10)
        for line in lines { #expect(line.columns <= 10, "\(line.text)") }
        #expect(lines.map(\.text) == ["› 你好世界", "  你好世界", "", "héllo 😀 ", "wörld"])
        #expect(lines[0].spans.allSatisfy { $0.role == .user })
        #expect(lines[3].spans[0].role == .assistant)
    }

    @Test func scrollClampsToContent() {
        let lines = (0..<20).map { StyledLine("\($0)", .normal) }
        var position = ScrollPosition()
        #expect(position.visible(lines, height: 5).map(\.text) == ["15", "16", "17", "18", "19"])
        position.scroll(pages: 1, height: 5)
        #expect(position.visible(lines, height: 5).map(\.text) == ["11", "12", "13", "14", "15"])
        position.scroll(pages: 10, height: 5)
        #expect(position.visible(lines, height: 5).first?.text == "0")
        #expect(position.linesFromBottom == 15)
        position.scroll(pages: -10, height: 5)
        #expect(position.linesFromBottom == 0)
    }

    @Test func scrolledViewStaysWhileLinesArrive() {
        var lines = (0..<20).map { StyledLine("\($0)", .normal) }
        var position = ScrollPosition()
        _ = position.visible(lines, height: 5)
        position.scroll(pages: 1, height: 5)
        #expect(position.visible(lines, height: 5).first?.text == "11")
        lines.append(StyledLine("20", .normal))
        #expect(position.visible(lines, height: 5).first?.text == "11")
        // At the bottom, the view follows new lines.
        position.scroll(pages: -10, height: 5)
        lines.append(StyledLine("21", .normal))
        #expect(position.visible(lines, height: 5).last?.text == "21")
    }
}
