"""The HTML edge's shared parts: request hooks, the viewer's preferences, form helpers."""
