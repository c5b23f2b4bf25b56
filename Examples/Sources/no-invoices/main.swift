import NoInvoices
import ReferenceMilterCLI  // MilterCommandLine and MilterConfiguration: the daemon, test and dump subcommands

MilterCommandLine.launch(MilterConfiguration(name: "no-invoices", classifier: NoInvoices()))
