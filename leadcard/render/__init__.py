"""Rendering: values drawn for people and programs. Never queries the store, never decides."""
