"""Shared test helpers: server discovery and throwaway databases."""
