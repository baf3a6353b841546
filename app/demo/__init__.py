"""Demo data for `flask demo seed`: one account per role, stores, notes, rates and rules."""
