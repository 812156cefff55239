"""Response and request models: one family per entity (public, detail, page)."""
