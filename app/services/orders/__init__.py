"""Orders: created from a paid quote (one per store), their states and their lists."""
