import Testing

@testable import SwitchboardVault
