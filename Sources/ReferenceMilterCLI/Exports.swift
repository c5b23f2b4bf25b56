// A milter binary imports this module alone: it brings the server library with it.
@_exported import ReferenceMilter
