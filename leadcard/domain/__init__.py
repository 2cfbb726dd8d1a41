"""The domain: modules that take and return plain values, and decide."""
