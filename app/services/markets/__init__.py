"""Destination markets: dated duty and import-tax rules, and the landed cost they give."""
