"""Checkout: carts, shipping-rate tables and addresses, and landed-cost quotes."""
