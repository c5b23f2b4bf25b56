// Module MilterProtocol. See README.md for the architecture.
