// milter-replay's entry point: synchronous, so that the main thread stays out of libdispatch's exit cleanup
// (see MilterReplayCommand.launch()).
MilterReplayCommand.launch()
