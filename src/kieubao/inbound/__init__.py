"""Messages coming in by email and messaging: provider webhooks, the mail server, routing."""
