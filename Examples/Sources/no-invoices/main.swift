import NoInvoices
import ReferenceMilterCLI  // MilterCommandLine and MilterConfiguration: the daemon, test and dump subcommands

await MilterCommandLine.main(MilterConfiguration(name: "no-invoices", classifier: NoInvoices()))
