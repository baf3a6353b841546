"""The core every layer shares: database engine set-up, the unit of work, the job queue."""
