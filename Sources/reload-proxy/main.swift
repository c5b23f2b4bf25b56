// reload-proxy: runs a milter daemon on a socket it owns and replaces it on SIGHUP.
// See ReloadProxyCommand for the options and exit statuses. Synchronous (no `await`), so that the main thread
// stays out of libdispatch, whose cleanup for it needs a file descriptor (see MilterCommandLine.launch).
import ReloadProxyKit

ReloadProxyCommand.runAndExit()
