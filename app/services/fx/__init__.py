"""Exchange rates: snapshots from a rate source or an admin, and conversion between currencies."""
