@testable import HunchCore

/// llama.cpp's output on a model's Q8_0 copy, written by scripts/make-reference.py.
struct ReferenceFixture: Decodable {
    struct Prompt: Decodable {
        let name: String
        let text: String
        /// Whether special-token texts such as <|im_start|> were tokenised as those tokens.
        let parseSpecial: Bool
        let promptIDs: [Int]
        /// llama.cpp's greedy continuation of the prompt.
        let greedyIDs: [Int]
        /// At each greedy step, llama.cpp's best logit minus its second-best.
        let greedyMargins: [Float]
        /// The prompt and a fixed continuation, evaluated with logits at every position.
        let forcedIDs: [Int]
        /// The 10 highest logits at each position of `forcedIDs`, best first: `[position][rank]`.
        let topIDs: [[Int]]
        let topLogits: [[Float]]

        enum CodingKeys: String, CodingKey {
            case name, text
            case parseSpecial = "parse_special"
            case promptIDs = "prompt_ids"
            case greedyIDs = "greedy_ids"
            case greedyMargins = "greedy_margins"
            case forcedIDs = "forced_ids"
            case topIDs = "top_ids"
            case topLogits = "top_logits"
        }
    }

    let model: String
    /// The llama.cpp version and settings behind the numbers.
    let reference: String
    let prompts: [Prompt]

    static func load(model: String) throws -> ReferenceFixture {
        let name = model.hasSuffix(".gguf") ? String(model.dropLast(5)) : model
        return try Fixtures.decode(ReferenceFixture.self, from: "reference/\(name).json")
    }
}

/// How closely hunch's logits follow a reference over the teacher-forced positions of every prompt.
struct ReferenceAgreement {
    /// Gap between the reference's two best logits from which the argmaxes must agree.
    let nearTie: Float
    var positions = 0
    /// Positions where hunch's argmax is the reference's top token.
    var topMatches = 0
    /// Largest |hunch - reference| over the reference's top 10 logits at every position.
    var maximumError: Float = 0
    var errorSum: Double = 0
    var errorCount = 0
    var worst = ""
    /// "prompt@position" where hunch's argmax differs although the reference's top token leads by at least `nearTie`.
    var clearDisagreements: [String] = []

    var topAgreement: Double { positions == 0 ? 0 : Double(topMatches) / Double(positions) }
    var meanError: Float { errorCount == 0 ? 0 : Float(errorSum / Double(errorCount)) }

    var summary: String {
        "positions \(positions), top-1 agreement \(topMatches) (\(topAgreement * 100) %), "
            + "max error \(maximumError) (\(worst)), mean error \(meanError)"
    }

    /// Feeds each prompt's teacher-forced ids to a new session of `model` and compares every position.
    static func measure(_ model: LanguageModel, _ fixture: ReferenceFixture, nearTie: Float) throws -> ReferenceAgreement {
        var agreement = ReferenceAgreement(nearTie: nearTie)
        for prompt in fixture.prompts {
            let session = try model.makeSession(contextLength: 512, pool: TestModels.pool)
            var start = 0
            while start < prompt.forcedIDs.count {
                let count = min(InferenceSession.maximumBatch, prompt.forcedIDs.count - start)
                let logits = try session.forward(Array(prompt.forcedIDs[start..<(start + count)]), logits: .all)
                for row in 0..<count {
                    agreement.add(logits.row(row), prompt: prompt, position: start + row)
                }
                start += count
            }
        }
        return agreement
    }

    mutating func add(_ logits: UnsafeBufferPointer<Float>, prompt: ReferenceFixture.Prompt, position: Int) {
        let ids = prompt.topIDs[position]
        let values = prompt.topLogits[position]
        positions += 1
        if Sampler.argmax(logits) == ids[0] {
            topMatches += 1
        } else if values[0] - values[1] >= nearTie {
            clearDisagreements.append("\(prompt.name)@\(position)")
        }
        for (id, expected) in zip(ids, values) {
            let error = abs(logits[id] - expected)
            errorSum += Double(error)
            errorCount += 1
            if error > maximumError {
                maximumError = error
                worst = "\(prompt.name) position \(position) token \(id): hunch \(logits[id]), llama.cpp \(expected)"
            }
        }
    }
}
