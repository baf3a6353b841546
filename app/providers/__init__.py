"""Providers: outside services behind small interfaces, chosen by configuration."""
