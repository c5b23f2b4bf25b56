// Module MailMessage. See README.md for the architecture.
