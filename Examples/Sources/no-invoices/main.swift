import NoInvoices
import ReferenceMilter  // MilterCommandLine and MilterConfiguration: the daemon, test and dump subcommands

await MilterCommandLine.main(MilterConfiguration(name: "no-invoices", classifier: NoInvoices()))
