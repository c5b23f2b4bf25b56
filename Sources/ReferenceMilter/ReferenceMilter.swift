// Module ReferenceMilter. See README.md for the architecture.
