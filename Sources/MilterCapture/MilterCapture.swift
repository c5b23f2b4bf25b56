// Module MilterCapture. See README.md for the architecture.
