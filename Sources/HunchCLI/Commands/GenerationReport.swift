import HunchCore

/// The outcome of one `hunch generate` run, formatted as the stats on standard error
/// and as the `--json` object.
struct GenerationReport {
    let promptIDs: [Int]
    let generatedIDs: [Int]
    /// The decoded reply, special tokens left out.
    let text: String
    let stopReason: StopReason
    let stats: GenerationStats
    /// Whether a draft model took part; the acceptance figures are shown only then.
    let speculative: Bool

    /// Formats the human-readable stats, one fact per line.
    func statsText() -> String {
        let seconds = { (value: Double) in EngineOptions.fixed(value, digits: 2) }
        let rate = { (value: Double) in EngineOptions.fixed(value, digits: 1) }
        // The engine reads all but the last prompt token before the first round, which
        // reads that one together with the drafts, so the rate covers promptTokens.
        var lines = [
            "prompt: \(promptIDs.count) tokens, \(stats.promptTokens) read in \(seconds(stats.promptSeconds)) s "
                + "(\(rate(stats.promptTokensPerSecond)) tokens/s) and the last with the first round",
            "decode: \(stats.generatedTokens) tokens in \(seconds(stats.decodeSeconds)) s "
                + "(\(rate(stats.decodeTokensPerSecond)) tokens/s), \(Self.describe(stopReason))",
        ]
        if speculative {
            lines.append(
                "draft: \(stats.rounds) rounds, \(stats.drafted) tokens drafted, \(stats.accepted) accepted "
                    + "(\(Self.percent(stats.acceptanceRate))), mean accepted length \(seconds(stats.meanAcceptedLength))")
            let positions = stats.acceptanceByPosition.enumerated().map { index, rate in
                "\(index + 1): \(Self.percent(rate))"
            }
            if !positions.isEmpty {
                lines.append("acceptance by draft position: " + positions.joined(separator: ", "))
            }
            if let speedup = stats.estimatedSpeedup, let step = stats.targetStepSeconds {
                lines.append(
                    "estimated speed-up over the target alone: \(seconds(speedup))x "
                        + "(from a target step of \(EngineOptions.fixed(step * 1000, digits: 1)) ms)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func describe(_ reason: StopReason) -> String {
        switch reason {
        case .endOfText: "stopped at the end of text"
        case .tokenLimit: "stopped at the token limit"
        case .contextFull: "stopped because the context is full"
        case .cancelled: "stopped by Ctrl-C"
        }
    }

    /// Formats the `--json` object on one line. Rates are per second, rounded to 3 decimals.
    func json() -> String {
        var statFields = [
            ("prompt_tokens", "\(stats.promptTokens)"),
            ("prompt_tokens_per_second", JSON.number(stats.promptTokensPerSecond)),
            ("generated_tokens", "\(stats.generatedTokens)"),
            ("decode_tokens_per_second", JSON.number(stats.decodeTokensPerSecond)),
        ]
        if speculative {
            statFields += [
                ("rounds", "\(stats.rounds)"),
                ("drafted", "\(stats.drafted)"),
                ("accepted", "\(stats.accepted)"),
                ("acceptance_rate", JSON.number(stats.acceptanceRate)),
                ("mean_accepted_length", JSON.number(stats.meanAcceptedLength)),
                ("acceptance_by_position", JSON.array(stats.acceptanceByPosition.map(JSON.number))),
            ]
        }
        return JSON.object([
            ("prompt_ids", JSON.array(promptIDs.map(String.init))),
            ("generated_ids", JSON.array(generatedIDs.map(String.init))),
            ("text", JSON.quoted(text)),
            ("stop_reason", JSON.quoted(Self.jsonName(stopReason))),
            ("stats", JSON.object(statFields)),
        ])
    }

    static func jsonName(_ reason: StopReason) -> String {
        switch reason {
        case .endOfText: "end_of_text"
        case .tokenLimit: "token_limit"
        case .contextFull: "context_full"
        case .cancelled: "cancelled"
        }
    }

    /// Formats a fraction as a percentage with one decimal, e.g. "73.5%".
    static func percent(_ fraction: Double) -> String {
        EngineOptions.fixed(fraction * 100, digits: 1) + "%"
    }
}

extension JSON {
    /// Formats a finite number rounded to 3 decimals without trailing zeros ("2", "0.75"), and NaN or infinity as 0.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        var text = EngineOptions.fixed(value, digits: 3)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    static func array(_ elements: [String]) -> String {
        "[" + elements.joined(separator: ", ") + "]"
    }

    /// Formats an object with its keys in the given order. The values must be JSON already.
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { quoted($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }
}
