"""Thin handlers: read the update, call the domain, render, send."""
