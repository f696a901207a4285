import Testing
@testable import HunchCore

@Suite struct SamplingSettingsTests {
    @Test func defaultsAreValid() throws {
        try SamplerSettings().validate()
        try SamplerSettings.greedy.validate()
    }

    @Test(arguments: [
        (SamplerSettings(temperature: -0.5), SamplerSettingsError.invalidTemperature(-0.5)),
        (SamplerSettings(temperature: .infinity), .invalidTemperature(.infinity)),
        (SamplerSettings(topK: -1), .invalidTopK(-1)),
        (SamplerSettings(topP: 0), .invalidTopP(0)),
        (SamplerSettings(topP: 1.5), .invalidTopP(1.5)),
        (SamplerSettings(minP: -0.1), .invalidMinP(-0.1)),
        (SamplerSettings(minP: 2), .invalidMinP(2)),
        (SamplerSettings(repetitionPenalty: 0), .invalidRepetitionPenalty(0)),
        (SamplerSettings(repetitionPenalty: -1), .invalidRepetitionPenalty(-1)),
        (SamplerSettings(repetitionWindow: -3), .invalidRepetitionWindow(-3)),
    ])
    func invalidFieldIsNamed(settings: SamplerSettings, expected: SamplerSettingsError) {
        #expect(throws: expected) { try settings.validate() }
        #expect(throws: expected) { try Sampler(settings: settings) }
    }

    @Test func nanTopPIsRejected() {
        #expect(throws: SamplerSettingsError.self) { try SamplerSettings(topP: .nan).validate() }
    }

    @Test func boundaryValuesAreValid() throws {
        try SamplerSettings(temperature: 0, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, repetitionWindow: 0).validate()
        try SamplerSettings(topP: 0.001, minP: 1, repetitionPenalty: 0.5).validate()
    }

    @Test(arguments: [
        (SamplerSettingsError.invalidTemperature(-0.5),
         "invalid temperature -0.5: expected a finite number of 0 or more (0 picks the most likely token)."),
        (.invalidTopK(-1), "invalid top-k -1: expected a token count of 0 or more (0 turns top-k off)."),
        (.invalidTopP(1.5), "invalid top-p 1.5: expected a probability greater than 0 and at most 1 (1 turns top-p off)."),
        (.invalidMinP(2.0), "invalid min-p 2.0: expected a probability from 0 to 1 (0 turns min-p off)."),
        (.invalidRepetitionPenalty(0.0),
         "invalid repetition penalty 0.0: expected a finite number greater than 0 (1 turns it off, above 1 discourages repeats)."),
        (.invalidRepetitionWindow(-3), "invalid repetition window -3: expected a token count of 0 or more."),
    ])
    func errorMessage(error: SamplerSettingsError, message: String) {
        #expect(error.description == message)
    }
}
