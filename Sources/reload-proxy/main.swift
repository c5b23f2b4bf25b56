// reload-proxy: runs a milter daemon on a socket it owns and replaces it on SIGHUP.
// See ReloadProxyCommand for the options and exit statuses.
import ReloadProxyKit

ReloadProxyCommand.runAndExit()
