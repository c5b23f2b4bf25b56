// Module MilterClient. See README.md for the architecture.
