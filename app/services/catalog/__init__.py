"""Catalog: stores and warehouses, products, variants, prices, images, reads and CSV."""
