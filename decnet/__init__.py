"""DECNET identity resolution: honeypot observations, identities and campaigns."""

__version__ = "0.1.0"
