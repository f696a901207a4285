import Testing
@testable import HunchCore
