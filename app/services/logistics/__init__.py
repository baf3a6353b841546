"""Logistics: carriers, shipments and their legs, customs documents, tracking and returns."""
