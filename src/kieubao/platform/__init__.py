"""What every domain stands on: settings, database, auth, audit, jobs, web shell."""
